"""Write the decoder fixtures that the Python and TypeScript decoders must both reproduce exactly:

    training/erlens-train fixtures [--out spec/fixtures]

spec/fixtures/tag-table-decoder.json   Table-Sequence (BIO, block cells), TablERT-CNN (BILOU, last-word)
spec/fixtures/span-pairs-decoder.json  STSN (span classification + pair probabilities)

Inputs are saved model outputs: hand-made edge cases (ill-formed tag sequences, one word, nothing
found, ties) and seeded random outputs shaped like a trained model's (peaked softmax rows). Every
probability is a float32 value, as ONNX Runtime hands them to the server; decoding sums in float64 on
both sides, so the expected scores are exact.
"""
import argparse
import json
import os

import numpy as np

from .config import REPO_ROOT
from .data import Schema
from .decode_span_pairs import decode_pairs, decode_spans, pair_index
from .decode_tag_table import decode_tag_table

ENTITY_TYPES = ["Loc", "Org", "Peop"]
RELATION_TYPES = ["Kill", "Work_For"]


def f32(a):
    return np.asarray(a, dtype=np.float32).tolist()


def peaked(rng, labels, n_classes, sharpness=4.0):
    """Softmax rows whose argmax is `labels` most of the time (noise sometimes wins)."""
    logits = rng.normal(0.0, 1.0, size=(len(labels), n_classes))
    logits[np.arange(len(labels)), labels] += sharpness
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def one_hot_rows(labels, n_classes, p=0.9):
    rows = np.full((len(labels), n_classes), (1 - p) / (n_classes - 1), dtype=np.float32)
    rows[np.arange(len(labels)), labels] = p
    return rows


def tag_id(scheme, prefix, etype):
    width = 2 if scheme == "BIO" else 4
    return 1 + width * ENTITY_TYPES.index(etype) + ("BILU".index(prefix) if scheme == "BILOU" else "BI".index(prefix))


def tags_from(scheme, seq):
    return [0 if t == "O" else tag_id(scheme, t[0], t[2:]) for t in seq]


def table_with(n, cells, n_labels, default=0):
    """Cells (i, j, label) get 0.8 on their label; all others 0.8 on `default`."""
    labels = np.full((n, n), default)
    for i, j, lab in cells:
        labels[i, j] = lab
    return one_hot_rows(labels.reshape(-1), n_labels, 0.8).reshape(n, n, n_labels)


def tag_table_cases(rng):
    K = 1 + 2 * len(RELATION_TYPES)
    kill_f, kill_b, work_f, work_b = 1, 2, 3, 4
    cases = []

    def add(name, scheme, cells_mode, tags, table, why):
        cases.append({"name": name, "tagging": scheme, "relation_cells": cells_mode, "n_words": len(tags),
                      "tag_probs": f32(tags), "table_probs": f32(table), "why": why})

    n_bio = 2 * len(ENTITY_TYPES) + 1
    n_bilou = 4 * len(ENTITY_TYPES) + 1
    seq = ["B-Peop", "I-Peop", "O", "I-Org", "I-Org", "B-Loc", "I-Peop", "O", "B-Peop"]
    add("bio-ill-formed", "BIO", "block", one_hot_rows(tags_from("BIO", seq), n_bio),
        table_with(9, [(0, 3, work_f), (3, 0, work_b), (1, 4, work_f), (4, 1, work_b), (0, 4, work_f), (1, 3, work_f),
                       (8, 0, kill_f)], K),
        "I after O opens an entity; a type change closes one; Work_For by block sums (both orders tried); "
        "a single Kill cell loses its block to the none cells")
    seq = ["B-Peop", "I-Peop", "L-Peop", "O", "U-Org", "B-Loc", "U-Loc", "I-Org", "L-Org", "O", "I-Loc"]
    add("bilou-running-start", "BILOU", "last-word", one_hot_rows(tags_from("BILOU", seq), n_bilou),
        table_with(11, [(2, 4, work_f), (4, 6, kill_b), (6, 8, work_f)], K),
        "B/I continue; L/U close from the running start typed by the closing word; O moves the start; "
        "an unclosed tail is dropped; r-backward makes the later entity the subject")
    add("one-word", "BIO", "block", one_hot_rows([tag_id("BIO", "B", "Peop")], n_bio), table_with(1, [], K),
        "one word, one entity, no pair")
    add("nothing-found", "BILOU", "last-word", one_hot_rows([0] * 6, n_bilou), table_with(6, [(0, 5, kill_f)], K),
        "all-punctuation lines tag O everywhere: no entities, so no relation either")
    tie = np.full((3, n_bio), 1.0 / n_bio, dtype=np.float32)
    add("ties", "BIO", "block", tie, np.full((3, 3, K), 1.0 / K, dtype=np.float32),
        "equal probabilities: the lowest id wins (O, none)")
    for scheme, mode, n_tags in (("BIO", "block", n_bio), ("BILOU", "last-word", n_bilou)):
        for k, n in enumerate((7, 15, 24, 40)):
            labels = rng.choice(n_tags, size=n, p=[0.5] + [0.5 / (n_tags - 1)] * (n_tags - 1))
            table_labels = rng.choice(K, size=n * n, p=[0.7] + [0.3 / (K - 1)] * (K - 1))
            add("random-%s-%d" % (scheme.lower(), k), scheme, mode, peaked(rng, labels, n_tags),
                peaked(rng, table_labels, K, 2.0).reshape(n, n, K), "seeded random outputs, %d words" % n)
    return cases


def span_pairs_cases(rng):
    E1, W, R = len(ENTITY_TYPES) + 1, 10, len(RELATION_TYPES)
    cases = []

    def add(name, span_probs, thresholds, why):
        schema = Schema(ENTITY_TYPES, RELATION_TYPES)
        n = len(span_probs)
        kept = decode_spans(span_probs, n, schema, False)
        pairs = {tuple(p): f32(rng.uniform(0, 1, size=R)) for p in pair_index(kept)}
        case = {"name": name, "n_words": n, "span_probs": f32(span_probs),
                "pair_probs": [{"pair": list(p), "probs": v} for p, v in pairs.items()], "expected": [], "why": why}
        for suppress in (False, True):
            for alpha in thresholds:
                ents = decode_spans(span_probs, n, schema, suppress)
                rels = decode_pairs(ents, [pairs[tuple(p)] for p in pair_index(ents)], schema, alpha)
                case["expected"].append({"suppress_overlaps": suppress, "rel_threshold": alpha,
                                         "pair_index": pair_index(ents),
                                         "entities": [list(e) for e in ents], "relations": [list(r) for r in rels]})
        cases.append(case)

    def spans(n, cells):
        labels = np.zeros((n, W), dtype=np.int64)
        for i, w, k in cells:
            labels[i, w] = k
        return one_hot_rows(labels.reshape(-1), E1, 0.7).reshape(n, W, E1)

    add("nested", spans(8, [(0, 2, 1), (1, 0, 3), (4, 1, 2), (5, 0, 2), (6, 9, 1)]), [0.4, 0.6],
        "nested and overlapping spans are all kept unless suppress_overlaps; spans past the sentence are ignored")
    add("one-word", spans(1, [(0, 0, 3)]), [0.4], "one word: one entity, no pair")
    add("nothing-found", spans(5, []), [0.4], "no span kept: no pairs are scored")
    for k, n in enumerate((6, 12, 20)):
        labels = rng.choice(E1, size=n * W, p=[0.93] + [0.07 / (E1 - 1)] * (E1 - 1))
        add("random-%d" % k, peaked(rng, labels, E1, 3.0).reshape(n, W, E1), [0.3, 0.5],
            "seeded random outputs, %d words" % n)
    return cases


def write(out_dir):
    rng = np.random.default_rng(20261121)
    common = {"entity_types": ENTITY_TYPES, "relation_types": RELATION_TYPES}
    schema = Schema(ENTITY_TYPES, RELATION_TYPES)
    tag_cases = tag_table_cases(rng)
    for c in tag_cases:
        ents, rels = decode_tag_table(c["tag_probs"], c["table_probs"], c["n_words"], schema, c["tagging"],
                                      c["relation_cells"])
        c["expected"] = {"entities": [list(e) for e in ents], "relations": [list(r) for r in rels]}
    docs = {
        "tag-table-decoder.json": {"comment": "Written by `erlens-train fixtures`; decoding rules in "
                                              "spec/decoder-tag-table.md. Tag ids: 0 = O, then B,I (BIO) or "
                                              "B,I,L,U (BILOU) per entity type; cell ids: 0 = none, 1+2r = r "
                                              "forward, 2+2r = r backward.", **common, "cases": tag_cases},
        "span-pairs-decoder.json": {"comment": "Written by `erlens-train fixtures`; decoding rules in "
                                               "spec/decoder-span-pairs.md. span_probs[i][w] = classes of the "
                                               "span from word i to word i+w (class 0 = no entity); pair_probs "
                                               "are the pairs stage's outputs for the pairs it is sent.",
                                    **common, "max_width": 10, "cases": span_pairs_cases(rng)},
    }
    for name, doc in docs.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(doc, f)
            f.write("\n")
    return list(docs)


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train fixtures")
    p.add_argument("--out", default=os.path.join(REPO_ROOT, "spec", "fixtures"))
    args = p.parse_args(argv)
    for name in write(args.out):
        print(os.path.join(args.out, name))
