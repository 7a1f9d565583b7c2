#!/usr/bin/env bash
# Issue 11, item 7: pretrain a larger ToolTune Nano on one GPU in at most ~8 minutes and write its weights and card
# to an output folder. Meant for the lent GPU machine (run from the repository root after `bash scripts/setup.sh`, or
# with node_modules and dist/ carried over):
#   OUT=/tmp/out bash scripts/nano-gpu.sh
# The engine picks CUDA by itself (device "auto": bf16 autocast on GPUs that have it). A larger batch keeps the GPU
# busy; Node renders the next batch while the GPU trains on this one. Nothing here is GPU-only: on CPU it runs too,
# just slowly (the CI-sized test covers the same pipeline).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/nano-gpu}"
MINUTES="${MINUTES:-7}"
mkdir -p "$OUT"
[ -f dist/cli.js ] || npm run -s build
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi: running on what the engine finds"
node dist/cli.js pretrain --out "$OUT/run" --size large --batch "${BATCH:-128}" --minutes "$MINUTES" --seed "${SEED:-1}" \
  --ship "$OUT/nano-large" 2>&1 | tee "$OUT/pretrain.log"
ls -la "$OUT/nano-large"
