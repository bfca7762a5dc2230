"""erlens-train average: a run whose weights are the mean of some of its epochs' weights.

    training/erlens-train average --run runs/mge-clinical-hybrid-gaz --epochs 7 8 9 --out runs/mge-clinical-hybrid-avg

The epochs' weights are the `epoch-<N>.pt` files the config's `keep_epochs` writes. Averaging the weights of
late epochs of one run (as stochastic weight averaging does) gives a model near the centre of the region those
epochs wander in: for the clinical hybrid, whose dev scores swing by 2-3 RE points from epoch to epoch, a
steadier one than any single epoch. The output is a run folder like any other (the source run's vocabulary,
encoder files and config; `best.pt` the mean), so `export`, `eval` and `tune` read it unchanged; `averaged.json`
says what it is. Integer tensors (counters, ids) are the first epoch's.
"""
import argparse
import json
import os
import shutil

import torch

from .train import epoch_checkpoint

AVERAGED = "averaged.json"
RUN_FILES_SKIPPED = ("best.pt", "last.pt", "dev_report.json")  # dev_report: the best epoch's, not the mean's


def mean_state(states):
    first = states[0]
    for s in states[1:]:
        if s.keys() != first.keys():
            raise ValueError("the checkpoints hold different tensors: not epochs of one model")
    return {k: (sum(s[k].double() for s in states) / len(states)).to(v.dtype) if v.is_floating_point() else v
            for k, v in first.items()}


def average(run_dir, epochs, out_dir):
    if os.path.exists(out_dir):
        raise ValueError("%s exists: average writes a new run folder" % out_dir)
    paths = [epoch_checkpoint(run_dir, e) for e in epochs]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise FileNotFoundError("no %s (the config's keep_epochs keeps an epoch's weights)" % ", ".join(missing))
    states = [torch.load(p, map_location="cpu")["model"] for p in paths]
    os.makedirs(out_dir)
    for name in os.listdir(run_dir):
        src = os.path.join(run_dir, name)
        if name in RUN_FILES_SKIPPED or (name.startswith("epoch-") and name.endswith(".pt")):
            continue
        (shutil.copytree if os.path.isdir(src) else shutil.copy2)(src, os.path.join(out_dir, name))
    torch.save({"model": mean_state(states), "epoch": max(epochs)}, os.path.join(out_dir, "best.pt"))
    with open(os.path.join(out_dir, AVERAGED), "w", encoding="utf-8") as f:
        json.dump({"run": run_dir, "epochs": list(epochs)}, f, indent=2)
    return out_dir


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train average", description=__doc__.split("\n")[0])
    p.add_argument("--run", required=True)
    p.add_argument("--epochs", type=int, nargs="+", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    print(average(args.run, args.epochs, args.out))


if __name__ == "__main__":
    main()
