#!/usr/bin/env bash
# Builds the immudb server (and immuadmin) from the Go module proxy into
# .cache/immudb/<version>/ of this repository, and prints the folder holding the binaries.
#
# Idempotent: when both binaries are present the build is skipped, so a test setup may call it
# every time. No immudb source is kept in the repository (the server is under BUSL-1.1); the
# module cache and the build folder live under .cache/, which git ignores.
#
# Usage: scripts/immudb/build.sh [--quiet]      IMMUDB_VERSION overrides the version.
set -euo pipefail

# v1.11.1 is the newest release the Go module proxy serves here; v1.10.0 also builds.
version="${IMMUDB_VERSION:-v1.11.1}"
module=github.com/codenotary/immudb
quiet=false
[[ "${1:-}" == "--quiet" ]] && quiet=true

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo/.cache/immudb/$version"
bin="$out/bin"

say() { $quiet || echo "$@" >&2; }

# Runs a build step; with --quiet its output goes to build.log and is shown only on failure.
step() {
  if $quiet; then
    "$@" >>"$out/build.log" 2>&1 || { tail -n 40 "$out/build.log" >&2; return 1; }
  else
    "$@" >&2
  fi
}

if [[ -x "$bin/immudb" && -x "$bin/immuadmin" ]]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "build.sh: the go command is needed (Go 1.25 or newer)" >&2
  exit 1
fi

# Serialize concurrent callers (parallel test files) on one lock per version.
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
if [[ -x "$bin/immudb" && -x "$bin/immuadmin" ]]; then
  echo "$bin"
  exit 0
fi

started=$(date +%s)
work="$out/module"
rm -rf "$work" "$out/build.log"
mkdir -p "$work" "$bin"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"

say "build.sh: downloading $module@$version"
step go mod download "$module@$version"
upstream="$(go env GOMODCACHE)/$module@$version/go.mod"

# A module of our own that requires immudb and repeats its replace directives, which
# `go install pkg@version` refuses to honour.
cd "$work"
cat >go.mod <<GOMOD
module deptrust.local/immudbbuild

go 1.25
GOMOD
grep -E '^replace ' "$upstream" >>go.mod || true
step go mod edit -require="$module@$version"

say "build.sh: resolving dependencies"
step go get "$module/cmd/immudb@$version" "$module/cmd/immuadmin@$version"

say "build.sh: compiling (a few minutes on two cores)"
step go build -trimpath -o "$bin/immudb" "$module/cmd/immudb"
step go build -trimpath -o "$bin/immuadmin" "$module/cmd/immuadmin"

say "build.sh: built $version in $(( $(date +%s) - started )) s"
echo "$bin"
