#!/usr/bin/env bash
# Real-VS-Code end-to-end tests: set up code-server if needed (cached in .vscode-test/), then run
# test/e2e/*.e2e.test.ts, which build the extension, start code-server on 127.0.0.1 with this folder as
# extensionDevelopmentPath, drive it in Chromium and save screenshots to .vscode-test/screenshots/.
#   E2E_PORT=38471 (default)   CHROMIUM=/usr/bin/chromium (default)   E2E_SKIP_BUILD=1 to reuse dist/
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .vscode-test/code-server/node_modules/code-server/out/node/entry.js ] || bash scripts/e2e-setup.sh
exec node scripts/test.mjs e2e
