#!/usr/bin/env bash
# Makes sure everything the test suite runs against is on this machine, installing what is
# missing: Debian packages (as root), the immudb server (built from the Go module proxy) and
# code-server (real VS Code for the browser). Idempotent and quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# ruby/bundler: the Gemfile.lock reference parser. chromium, ripgrep and the -dev libraries:
# code-server and the browser that drives it. git, go and mvn come with the machine image.
PACKAGES=(ruby ruby-bundler chromium ripgrep libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev pkg-config git)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

for tool in go mvn java; do
  command -v "$tool" >/dev/null || { echo "setup: '$tool' is required on PATH" >&2; exit 1; }
done

# What the suites build or download (the immudb server, code-server, Maven's and Go's module
# caches) lives under .cache/; a fresh checkout links those folders to a per-user cache so the
# next checkout on this machine reuses them instead of building again.
shared="${XDG_CACHE_HOME:-$HOME/.cache}/deptrust"
mkdir -p .cache
for d in immudb code-server m2 go npm; do
  if [[ ! -e .cache/$d ]]; then
    mkdir -p "$shared/$d"
    ln -s "$shared/$d" ".cache/$d"
  fi
done

bash scripts/immudb/build.sh
bash scripts/e2e/install-code-server.sh
