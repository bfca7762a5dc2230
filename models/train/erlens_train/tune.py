"""Choose decoding settings (thresholds, pair policy) on dev: the one place tuning is allowed.

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
from .decode import as_scoring_items, decode_tables
from .metrics import headline, score, selection_score
from .predict import probabilities

GRID = {"ent_threshold": [0.3, 0.4, 0.5, 0.6], "rel_threshold": [0.3, 0.4, 0.5, 0.6], "pair_policy": ["all", "best"]}


def tune(run_dir, write=False):
    cfg, schema, feat, model = rebuild_from_run(run_dir)
    dev = load_jsonl(resolve(cfg["dev"]))
    probs = [None] * len(dev)
    for i, ent_p, rel_p in probabilities(model, feat, dev):
        probs[i] = (ent_p, rel_p)
    results = []
    for te, tr, pp in itertools.product(GRID["ent_threshold"], GRID["rel_threshold"], GRID["pair_policy"]):
        preds = []
        for s, p in zip(dev, probs):
            if p is None:
                preds.append(([], []))
                continue
            e, r = decode_tables(p[0], p[1], len(s.tokens), schema, te, tr, pp)
            preds.append(as_scoring_items(e, r))
        rep = score(dev, preds)
        results.append({"ent_threshold": te, "rel_threshold": tr, "pair_policy": pp,
                        "selection": selection_score(rep, cfg["averaging"]), "headline": headline(rep)})
    results.sort(key=lambda r: -r["selection"])
    current = next(r for r in results if r["ent_threshold"] == cfg["decode"]["ent_threshold"]
                   and r["rel_threshold"] == cfg["decode"]["rel_threshold"]
                   and r["pair_policy"] == cfg["decode"]["pair_policy"])
    best = results[0]
    with open(os.path.join(run_dir, "tune.json"), "w", encoding="utf-8") as f:
        json.dump({"current": current, "best": best, "grid": results}, f, indent=2)
    if write:
        cfg["decode"] = {k: best[k] for k in ("ent_threshold", "rel_threshold", "pair_policy")}
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
