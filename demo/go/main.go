// A tiny program whose go.sum deptrust checks in the demo.
package main

import (
	"fmt"

	"github.com/google/uuid"
	"golang.org/x/mod/semver"
)

func main() {
	fmt.Println(uuid.New(), semver.IsValid("v1.2.3"))
}
