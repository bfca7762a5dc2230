"""Package rewrites: fp32 weights stored as fp16 (`erlens-train half-weights`); int8 activations quantised per
token (`erlens-train per-token-int8`); 8-bit word tables stored in 4 bits (`erlens-train four-bit-tables`).

Why: a wordchar package is two thirds fp32 weights (BiLSTM, head: 8.5 of `mge-conll04`'s 12.9 MB; the word
table is already int8), and the budget for all shipped packages is 100 MB. Stored half and cast back to fp32
in the graph (`onnx_weights.store_fp16`), every operator still computes in fp32 (no speed change measurable
by `erlens bench`); the outputs move by about 1e-4, which `erlens eval` on dev must confirm before
a rewritten package replaces the original (`mge-conll04`: the same scores to the last digit).
"""
import json
import os
import shutil

from .checksums import file_sha256
from .onnx_weights import FP16_SUFFIX, quantize_activations_per_token, store_fp16, store_int8, store_tables_4bit


def half_weights(package, out_dir):
    def rewrite(meta, graph_paths):
        if (meta.get("graph") or {}).get("fp16_initializers"):
            raise ValueError("%s: its weights are stored as fp16 already" % package)
        for entry, path in graph_paths:
            entry["fp16_initializers"] = stored_half(path) + store_fp16(path)  # an ensemble's halved members count too
    return rewrite_package(package, out_dir, rewrite)


def per_token_int8(package, out_dir):
    """A package whose int8 graph quantised its activations per ONNX Runtime call (quantize_dynamic) rewritten
    to quantise them per token (`onnx_weights.quantize_activations_per_token`): its results no longer depend
    on the sentences batched with it, so the server batches it again (`encoder.activations: "per-token"`).
    The stored weights are unchanged; the scores move (compare on dev first)."""
    def rewrite(meta, graph_paths):
        encoder = meta["encoder"]
        if encoder.get("weights") != "int8":
            raise ValueError("%s: its encoder weights are %s, not int8" % (package, encoder.get("weights", "fp32")))
        if not sum(quantize_activations_per_token(path) for _, path in graph_paths):
            raise ValueError("%s: no activations quantised per call to rewrite (per token already?)" % package)
        encoder["activations"] = "per-token"
    return rewrite_package(package, out_dir, rewrite)


def int8_weights(package, out_dir):
    """A package whose fp32 weights are stored as fp16 (`half_weights`) with them stored as int8 per row
    (`onnx_weights.store_int8`), folded back to fp32 when ONNX Runtime loads the graph. Each graph entry
    records `int8_initializers`. The scores move slightly (compare on dev first)."""
    return counted_rewrite(package, out_dir, store_int8, "int8_initializers", "its weights are stored as int8 already",
                           "no fp16-stored weights to store as int8 (run half-weights first)")


def four_bit_tables(package, out_dir):
    """A package whose pretrained encoder's word table is 8-bit codes (quantize_int8) with it stored as 4-bit
    codes per row block (`onnx_weights.store_tables_4bit`): MiniLM's 30,522 x 384 table is 11.7 MB of int8, and
    the budget for all shipped packages is 100 MB. Each graph entry records `tables_4bit`, the number of tables
    rewritten (an ensemble's shared table counts once). The scores move (compare on dev first)."""
    return counted_rewrite(package, out_dir, store_tables_4bit, "tables_4bit", "its tables are stored in 4 bits already",
                           "no 8-bit word table to store in 4 bits")


def counted_rewrite(package, out_dir, store, key, done_already, nothing_to_do):
    """rewrite_package with a graph pass `store(path) -> count`, the count recorded in each graph entry as `key`;
    refuses a package that went through the pass already, and one where it finds nothing."""
    def rewrite(meta, graph_paths):
        if any(entry.get(key) for entry, _ in graph_paths):
            raise ValueError("%s: %s" % (package, done_already))
        done = 0
        for entry, path in graph_paths:
            n = store(path)
            if n:
                entry[key] = n
            done += n
        if not done:
            raise ValueError("%s: %s" % (package, nothing_to_do))
    return rewrite_package(package, out_dir, rewrite)


def rewrite_package(package, out_dir, rewrite):
    """Copies a package folder to `out_dir`, lets `rewrite(meta, [(graph entry, path), ...])` change its graphs
    (the main one and further stages, STSN's pairs.onnx) and model.json, then restates checksums and the card's
    size line. Works on a package folder, not a run: shipped packages may have no run left, and an ensemble
    is one too."""
    with open(os.path.join(package, "model.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if os.path.abspath(package) == os.path.abspath(out_dir):
        raise ValueError("write the rewritten package to a new folder and compare it on dev first")
    graph = dict(meta.get("graph") or {})
    meta["graph"] = graph
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    shutil.copytree(package, out_dir)
    entries = [graph] + list((meta.get("stages") or {}).values())
    try:
        rewrite(meta, [(e, os.path.join(out_dir, e.get("file", "model.onnx"))) for e in entries])
    except Exception:
        shutil.rmtree(out_dir)
        raise
    for entry in entries:
        entry["sha256"] = file_sha256(os.path.join(out_dir, entry.get("file", "model.onnx")))
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
