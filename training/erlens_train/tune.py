"""Choose decoding settings (thresholds, pair policy, ...: the decoder family's grid) on dev: the one
place tuning is allowed.

    training/erlens-train tune --run runs/mge-conll04 [--write]

Probabilities are computed once; every grid point only re-decodes. With --write the best settings go
into the run's config.json, so the exported model.json carries them.
"""
import argparse
import itertools
import json
import os

import torch

from .build import rebuild_from_run
from .metrics import as_scoring_items
from .eval_sets import load_eval_sets, selection, summary
from .metrics import headline
from .predict import finish, raw_outputs


def tune(run_dir, write=False):
    cfg, schema, feat, model = rebuild_from_run(run_dir)
    # Old runs' configs predate these keys: the loader fills them in only for new configs.
    cfg.setdefault("retokenize", False)
    eval_sets = load_eval_sets(cfg, cfg["retokenize"])
    family = model.arch.FAMILY
    all_raws = []
    for es in eval_sets:
        raws = [None] * len(es.sentences)
        for i, raw in raw_outputs(model, feat, es.sentences):
            raws[i] = raw
        all_raws.append(raws)
    results = []
    # A config may widen the family's grid (e.g. higher entity thresholds: a confidence floor).
    grid = {**family.tune_grid, **(cfg.get("tune_grid") or {})}
    keys = sorted(grid)
    settings = [{**cfg["decode"], **dict(zip(keys, values))}
                for values in itertools.product(*(grid[k] for k in keys))]
    if cfg["decode"] not in settings:  # the current settings are always scored, grid or not
        settings.append(dict(cfg["decode"]))
    for setting in settings:
        reports = {}
        for es, raws in zip(eval_sets, all_raws):
            preds = [as_scoring_items(*finish(family.decode(r, len(s.tokens), schema, setting), s.tokens, schema))
                     if r is not None else ([], []) for s, r in zip(es.sentences, raws)]
            reports[es.name] = es.report(preds)
        results.append({"decode": setting, "selection": selection(cfg, reports, "tune_selection"),
                        "headline": headline(reports["dev"]), "sets": summary(reports)})
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
