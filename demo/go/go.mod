module example.com/deptrust-demo

go 1.26.0

require (
	github.com/google/uuid v1.6.0
	golang.org/x/mod v0.43.0
)
