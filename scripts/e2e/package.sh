#!/usr/bin/env bash
# Builds the bundles and packages the extension as .cache/deptrust.vsix for the editor tests.
# The bundles in dist/ carry their dependencies, so the vsix holds no node_modules.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/.cache/deptrust.vsix"
cd "$ROOT"

echo "==> npm run build"
npm run build --silent

mkdir -p "$(dirname "$OUT")"
echo "==> vsce package -> ${OUT#"$ROOT"/}"
# The manifest has no repository field and the repo may have no LICENSE file yet; vsce would
# otherwise stop to ask about either. Without a repository URL it cannot turn the readme's
# relative links into absolute ones, so they stay relative.
npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license \
  --no-rewrite-relative-links -o "$OUT"

echo "$(du -k "$OUT" | cut -f1) KiB  $OUT"
