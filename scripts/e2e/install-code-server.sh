#!/usr/bin/env bash
# Installs code-server (VS Code's workbench served to a browser, with a Node extension host) into
# .cache/code-server for the end-to-end editor tests. Idempotent: does nothing when installed.
#
# code-server 4.100.3 is the newest release that accepts Node 20. Its normal install does not
# work offline: the @vscode/ripgrep install script downloads rg from GitHub and npm prompts
# before running `npx node-gyp`. So every install script is skipped and the native modules are
# rebuilt by hand, with rg taken from Debian's ripgrep.
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREFIX="$ROOT/.cache/code-server"
PKG="$PREFIX/node_modules/code-server"
VSCODE="$PKG/lib/vscode"
STAMP="$PREFIX/.installed-$VERSION"
DEBIAN_PACKAGES=(libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev pkg-config ripgrep chromium)

step() { printf '\n==> %s\n' "$*"; }

if [[ -f "$STAMP" ]]; then
  echo "code-server $VERSION is already installed in $PREFIX"
  exit 0
fi

started=$(date +%s)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: missing Debian packages: ${missing[*]} (run this script as root," \
      "or install them with apt-get)" >&2
    exit 1
  fi
  # Other jobs on the machine may hold the dpkg lock: wait for it instead of failing.
  step "apt-get install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=900 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y "${missing[@]}"
fi

for tool in rg chromium; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not on PATH" >&2; exit 1; }
done

mkdir -p "$PREFIX"
cd "$PREFIX"
[[ -f package.json ]] || echo '{ "name": "deptrust-code-server", "private": true }' > package.json

step "npm install --ignore-scripts code-server@$VERSION (in $PREFIX)"
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"

step "npm install --omit=dev --ignore-scripts (in lib/vscode)"
cd "$VSCODE"
npm install --no-audit --no-fund --omit=dev --ignore-scripts

# The ripgrep install script skips its download when bin/ exists.
step "link @vscode/ripgrep/bin/rg to $(command -v rg)"
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg

# --foreground-scripts shows the compiler output; npm_config_yes lets `npx node-gyp` run.
step "npm rebuild (native modules of lib/vscode)"
npm_config_yes=true npm rebuild --foreground-scripts

# What code-server's own postinstall.sh does after its install step.
step "postinstall links and lib/vscode/extensions dependencies"
ln -sfn node_modules node_modules.asar
ln -sf code-linux.sh bin/remote-cli/code-server
ln -sf browser-linux.sh bin/helpers/browser.sh
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts)

step "npm rebuild argon2 (code-server's own native module)"
cd "$PREFIX"
npm_config_yes=true npm rebuild argon2 --foreground-scripts

# npm has been seen to report success without building; check the modules code-server loads.
step "check native modules"
for module in \
  "$PREFIX/node_modules/argon2/lib/binding/napi-v3/argon2.node" \
  "$VSCODE/node_modules/node-pty/build/Release/pty.node" \
  "$VSCODE/node_modules/@vscode/spdlog/build/Release/spdlog.node" \
  "$VSCODE/node_modules/native-watchdog/build/Release/watchdog.node"; do
  [[ -f "$module" ]] || { echo "error: $module was not built" >&2; exit 1; }
  echo "ok ${module#"$PREFIX"/}"
done

# A scratch config folder: code-server writes a default config.yaml on its first start.
step "check: code-server --version"
XDG_CONFIG_HOME="$PREFIX/.config" node "$PKG/out/node/entry.js" --version

touch "$STAMP"
echo
echo "code-server $VERSION installed in $PREFIX in $(( $(date +%s) - started )) s"
