"""PyTorch throughput of a trained run, the twin of the ONNX Runtime measurement in
scripts/bench-architectures.mjs: the same sentences, the same batch size, raw outputs + decoding.

    training/erlens-train bench --run runs/pfn-conll04 --data ../shared/data/conll04/dev.jsonl
prints one JSON line: {"sentences", "seconds", "sentences_per_second", "threads"}.
"""
import argparse
import json
import os
import time

import torch

from .build import rebuild_from_run
from .data import load_jsonl
from .predict import predict


def bench(run_dir, data, batch_size=16, repeats=1):
    cfg, schema, feat, model = rebuild_from_run(run_dir)
    sentences = [s for s in load_jsonl(data) if s.tokens]
    predict(model, feat, sentences[:batch_size], cfg["decode"], schema, batch_size=batch_size)  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeats):
        predict(model, feat, sentences, cfg["decode"], schema, batch_size=batch_size)
    seconds = time.perf_counter() - t0
    n = len(sentences) * repeats
    return {"sentences": n, "seconds": round(seconds, 3), "sentences_per_second": round(n / seconds, 1),
            "threads": torch.get_num_threads(), "torch": torch.__version__}


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train bench")
    p.add_argument("--run", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--batch-size", type=int, default=16)
    args = p.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("ERLENS_THREADS", "2")))
    print(json.dumps(bench(args.run, args.data, args.batch_size)))
