"""A package rewritten with its fp32 weights stored as fp16 (`erlens-train half-weights`).

Why: a wordchar package is two thirds fp32 weights (BiLSTM, head: 8.5 of `mge-conll04`'s 12.9 MB; the word
table is already int8), and the budget for all shipped packages is 100 MB. Stored half and cast back to fp32
in the graph (`onnx_weights.store_fp16`), every operator still computes in fp32 (no speed change measurable
by `erlens bench`); the outputs move by about 1e-4, which `erlens eval` on dev must confirm before
a rewritten package replaces the original (`mge-conll04`: the same scores to the last digit).
Works on a package folder, not a run: shipped packages may have no run left, and an ensemble is one too.
"""
import json
import os
import shutil

from .checksums import file_sha256
from .onnx_weights import FP16_SUFFIX, store_fp16


def half_weights(package, out_dir):
    with open(os.path.join(package, "model.json"), encoding="utf-8") as f:
        meta = json.load(f)
    graph = dict(meta.get("graph") or {})
    if graph.get("fp16_initializers"):
        raise ValueError("%s: its weights are stored as fp16 already" % package)
    if os.path.abspath(package) == os.path.abspath(out_dir):
        raise ValueError("write the rewritten package to a new folder and compare it on dev first")
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    shutil.copytree(package, out_dir)
    # every graph of the package: the main one and those of further stages (STSN's pairs.onnx)
    for entry in [graph] + list((meta.get("stages") or {}).values()):
        path = os.path.join(out_dir, entry.get("file", "model.onnx"))
        entry["fp16_initializers"] = stored_half(path) + store_fp16(path)  # an ensemble's halved members count too
        entry["sha256"] = file_sha256(path)
    meta["graph"] = graph
    with open(os.path.join(out_dir, "model.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    restate_card(out_dir)
    return out_dir


def stored_half(path):
    """How many of a graph's initializers are stored as fp16 already (FP16_SUFFIX)."""
    import onnx
    return sum(1 for i in onnx.load(path).graph.initializer if i.name.endswith(FP16_SUFFIX))


def restate_card(out_dir):
    """The card's size line rewritten for the new graph; the rest (scores, parity of the original export)
    stays as measured. Returns whether a card was found."""
    import re
    from .card import size_line
    card = os.path.join(out_dir, "README.md")
    if not os.path.isfile(card):
        return False
    with open(os.path.join(out_dir, "model.json"), encoding="utf-8") as f:
        meta = json.load(f)
    with open(card, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"^- Package: [0-9.]+ MB on disk.*$", lambda m: size_line(meta, out_dir), text, count=1, flags=re.M)
    with open(card, "w", encoding="utf-8") as f:
        f.write(text)
    return True
