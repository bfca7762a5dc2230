#!/usr/bin/env bash
# How packages are made, end to end (CPU, 2 cores): vectors, then per config
# train -> tune decoding on dev -> export -> parity -> ONNX dev eval -> card.
# Each step resumes or skips what is done; logs go to runs/<name>.log.
#   training/train-shipped.sh [--packages DIR] [NAME ...]     NAME = a config in training/configs
# Packages go to models/<name> (shipped) unless --packages names another folder (candidates that
# ship only if they beat the current package, e.g. runs/packages). The word table is int8 unless
# WORD_TABLE=fp16 (the card says what it cost on dev).
set -euo pipefail
cd "$(dirname "$0")/.."
T=training/erlens-train
packages=models
if [ "${1:-}" = "--packages" ]; then packages=$2; shift 2; fi
mkdir -p runs "$packages"
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(mge-conll04 mge-clinical)
for name in "${names[@]}"; do
  cfg=training/configs/$name.json
  ds=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['dataset'])" "$cfg")
  # Word vectors (about an hour on 2 cores) only for configs that read fastText's (wordchar, hybrid);
  # a config whose encoder.vectors names a package folder reads that package's word table instead.
  kind=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['encoder'].get('kind', ''))" "$cfg")
  vectors=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['encoder'].get('vectors', ''))" "$cfg")
  if [ "$kind" != transformer ] && ! [ -d "$vectors" ] && ! [ -s .work/vectors/fasttext-d100.bin ]; then
    $T vectors --out .work/vectors
  fi
  if [ ! -f runs/$name/done ]; then
    resume=""; [ -f runs/$name/last.pt ] && resume=--resume
    $T train --config "$cfg" $resume >> runs/$name.log 2>&1
    touch runs/$name/done
  fi
  # a config that keeps some epochs' weights (keep_epochs) ships their mean (erlens-train average)
  run=runs/$name
  keep=$(python3 -c "import json,sys; print(' '.join(map(str, json.load(open(sys.argv[1])).get('keep_epochs', []))))" "$cfg")
  if [ -n "$keep" ]; then
    [ -d runs/$name-avg ] || $T average --run runs/$name --epochs $keep --out runs/$name-avg >> runs/$name.log 2>&1
    run=runs/$name-avg
  fi
  $T tune --run $run --write >> runs/$name.log 2>&1
  $T export --run $run --out "$packages/$name" --word-table "${WORD_TABLE:-int8}" --parity $run/parity.json >> runs/$name.log 2>&1
  node scripts/onnx-parity.mjs $run/parity.json | tee $run/parity-result.json
  node bin/erlens eval --model "$packages/$name" --data ../shared/data/$ds/dev.jsonl --report $run/onnx_dev.json \
    | tee -a runs/$name.log | tail -1
  $T card --package "$packages/$name" --onnx-report $run/onnx_dev.json --parity-result $run/parity-result.json
done
