"""Choose decoding settings (thresholds, pair policy, ...: the decoder family's grid) on dev: the one
place tuning is allowed.

    models/train/erlens-train tune --run runs/mge-conll04 [--write]

Probabilities are computed once; every grid point only re-decodes. With --write the best settings go
into the run's config.json, so the exported model.json carries them.
"""
import argparse
import itertools
import json
import os

import torch

from .build import rebuild_from_run
from .config import resolve
from .data import load_jsonl
from .decode import as_scoring_items
from .metrics import headline, score, selection_score
from .predict import raw_outputs


def tune(run_dir, write=False):
    cfg, schema, feat, model = rebuild_from_run(run_dir)
    dev = load_jsonl(resolve(cfg["dev"]))
    family = model.arch.FAMILY
    raws = [None] * len(dev)
    for i, raw in raw_outputs(model, feat, dev):
        raws[i] = raw
    results = []
    keys = sorted(family.tune_grid)
    settings = [{**cfg["decode"], **dict(zip(keys, values))}
                for values in itertools.product(*(family.tune_grid[k] for k in keys))]
    if cfg["decode"] not in settings:  # the current settings are always scored, grid or not
        settings.append(dict(cfg["decode"]))
    for setting in settings:
        preds = [as_scoring_items(*family.decode(r, len(s.tokens), schema, setting)) if r is not None else ([], [])
                 for s, r in zip(dev, raws)]
        rep = score(dev, preds)
        results.append({"decode": setting, "selection": selection_score(rep, cfg["averaging"]),
                        "headline": headline(rep)})
    results.sort(key=lambda r: -r["selection"])
    current = next(r for r in results if r["decode"] == cfg["decode"])
    best = results[0]
    with open(os.path.join(run_dir, "tune.json"), "w", encoding="utf-8") as f:
        json.dump({"current": current, "best": best, "grid": results}, f, indent=2)
    if write:
        cfg["decode"] = best["decode"]
        with open(os.path.join(run_dir, "config.json"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, indent=2)
        rep_path = os.path.join(run_dir, "dev_report.json")
        with open(rep_path, encoding="utf-8") as f:
            dev_report = json.load(f)
        dev_report["headline_default_decoding"] = dev_report["headline"]
        dev_report["headline"] = best["headline"]
        dev_report["decode"] = cfg["decode"]
        with open(rep_path, "w", encoding="utf-8") as f:
            json.dump(dev_report, f, indent=2)
    return current, best


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train tune")
    p.add_argument("--run", required=True)
    p.add_argument("--write", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(int(os.environ.get("ERLENS_THREADS", "2")))
    current, best = tune(args.run, args.write)
    print("current %s" % json.dumps(current))
    print("best    %s" % json.dumps(best))
