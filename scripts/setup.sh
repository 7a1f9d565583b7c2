#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine (idempotent; re-running skips what is there):
#   - Debian packages: PyTorch for /usr/bin/python3 (+ the threaded OpenBLAS it needs to be fast), pytest,
#     chromium and libkrb5-dev for the real-VS-Code end-to-end tests;
#   - npm ci (onnxruntime-node's CUDA download is skipped by .npmrc);
#   - Node 24 + code-server from npm for the e2e tests (scripts/e2e-setup.sh);
#   - the esbuild bundles.
# Needs root (or sudo) only for apt-get. Set TOOLTUNE_SKIP_APT=1 to skip the apt step, TOOLTUNE_SKIP_E2E=1 to
# skip the VS Code download.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(python3-torch libopenblas0-pthread python3-pytest chromium libkrb5-dev g++ make)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${TOOLTUNE_SKIP_APT:-0}" != 1 ] && [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

if [ "${TOOLTUNE_SKIP_E2E:-0}" != 1 ] && [ -f scripts/e2e-setup.sh ]; then
  bash scripts/e2e-setup.sh
fi

npm run -s build
echo "setup: done"
