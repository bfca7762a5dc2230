#!/usr/bin/env bash
# How the shipped packages are made, end to end (CPU, 2 cores): vectors, then per dataset
# train -> tune decoding on dev -> export (fp16 word table) -> parity -> ONNX dev eval -> card.
# Each step resumes or skips what is done; logs go to runs/<name>.log.
#   models/train/train-shipped.sh [conll04] [ade]
set -euo pipefail
cd "$(dirname "$0")/../.."
T=models/train/erlens-train
[ -f .work/vectors/fasttext-d100.bin ] && [ -s .work/vectors/fasttext-d100.bin ] || $T vectors --out .work/vectors
mkdir -p runs
datasets=("$@"); [ ${#datasets[@]} -gt 0 ] || datasets=(conll04 ade)
for ds in "${datasets[@]}"; do
  name=mge-$ds
  if [ ! -f runs/$name/done ]; then
    resume=""; [ -f runs/$name/last.pt ] && resume=--resume
    $T train --config models/train/configs/$name.json $resume >> runs/$name.log 2>&1
    touch runs/$name/done
  fi
  $T tune --run runs/$name --write >> runs/$name.log 2>&1
  $T export --run runs/$name --out models/$name --parity runs/$name/parity.json >> runs/$name.log 2>&1
  node scripts/onnx-parity.mjs runs/$name/parity.json | tee runs/$name/parity-result.json
  node bin/erlens eval --model models/$name --data ../shared/data/$ds/dev.jsonl --report runs/$name/onnx_dev.json \
    | tee -a runs/$name.log | tail -1
  $T card --package models/$name --onnx-report runs/$name/onnx_dev.json --parity-result runs/$name/parity-result.json
done
