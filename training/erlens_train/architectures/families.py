"""Decoder families: how one sentence's raw outputs are cut from a batch, decoded, tuned on dev and
described in model.json. An architecture names its family; training, tuning, evaluation and export
only talk to the family, so they never branch on the architecture.

    family.name                     model.json "decoder"
    family.default_decode           decoding settings before dev tuning
    family.tune_grid                settings `erlens-train tune` tries on dev
    family.sentence_raw(model, outputs, n_words)   per-sentence raw outputs (numpy) of a batch
    family.decode(raw, n, schema, decode_cfg)      -> (entities, relations)
    family.meta(decode_cfg)         the decoding part of model.json
"""
import torch

from ..decode_span_table import decode_span_table
from ..decode_span_pairs import decode_pairs, decode_spans, pair_index
from ..decode_tag_table import decode_tag_table


class SpanTable:
    """PFN, MGE: sigmoid span table per entity type, sigmoid (subject first word, object first word)
    table per relation type (models.md §4.5)."""
    name = "span-table"
    partial_labels = True  # its sigmoid cells can be masked per label (table_targets.coverage_mask)
    # ent_thresholds: per entity type overrides of ent_threshold ({} = none); a config's tune_grid may
    # list several, e.g. [{}, {"Drug": 0.8}].
    default_decode = {"ent_threshold": 0.5, "rel_threshold": 0.5, "pair_policy": "all", "ent_thresholds": {}}
    tune_grid = {"ent_threshold": [0.3, 0.4, 0.5, 0.6], "rel_threshold": [0.3, 0.4, 0.5, 0.6],
                 "pair_policy": ["all", "best"]}

    @staticmethod
    def sentence_raw(model, outputs, n_words):
        ent, rel = (t.cpu().numpy() for t in model.arch.probabilities(outputs))
        return [(ent[b, :n, :n], rel[b, :n, :n]) for b, n in enumerate(n_words)]

    @staticmethod
    def decode(raw, n, schema, d):
        return decode_span_table(raw[0], raw[1], n, schema, d["ent_threshold"], d["rel_threshold"], d["pair_policy"],
                                 d.get("ent_thresholds"))

    @staticmethod
    def meta(d):
        thresholds = {"entity": d["ent_threshold"], "relation": d["rel_threshold"]}
        if d.get("ent_thresholds"):
            thresholds["entity_by_type"] = dict(d["ent_thresholds"])
        return {"thresholds": thresholds, "pair_policy": d["pair_policy"]}


class TagTable:
    """Table-Sequence (BIO, block relation cells), TablERT-CNN (BILOU, last-word cells): softmax tags
    per word and a softmax relation label per word-pair cell (models.md §1.4, §2.3)."""
    name = "tag-table"
    tune_grid = {}  # argmax decoding: nothing to tune

    def __init__(self, tagging, relation_cells):
        self.default_decode = {"tagging": tagging, "relation_cells": relation_cells}

    @staticmethod
    def sentence_raw(model, outputs, n_words):
        tags, table = (t.cpu().numpy() for t in model.arch.probabilities(outputs))
        return [(tags[b, :n], table[b, :n, :n]) for b, n in enumerate(n_words)]

    @staticmethod
    def decode(raw, n, schema, d):
        return decode_tag_table(raw[0], raw[1], n, schema, d["tagging"], d["relation_cells"])

    @staticmethod
    def meta(d):
        return {"tagging": d["tagging"], "relation_cells": d["relation_cells"]}


class SpanPairs:
    """STSN: span classification, then relation probabilities for pairs of kept spans from a second
    graph stage (models.md §3.3)."""
    name = "span-pairs"
    default_decode = {"rel_threshold": 0.4, "suppress_overlaps": False}
    tune_grid = {"rel_threshold": [0.3, 0.4, 0.5, 0.6], "suppress_overlaps": [False, True]}

    @staticmethod
    def sentence_raw(model, outputs, n_words):
        """Span probabilities, the spans kept without overlap suppression, and the relation
        probabilities of every ordered pair of them (suppression only ever drops pairs)."""
        span_probs, features = model.arch.probabilities(outputs)
        schema = model.head.schema
        raws, rows = [], []
        for b, n in enumerate(n_words):
            probs = span_probs[b, :n].cpu().numpy()
            ents = decode_spans(probs, n, schema, False)
            raws.append([probs, ents, {}])
            rows.append(pair_index(ents))
        P = max((len(r) for r in rows), default=0)
        if P:
            index = torch.zeros(len(rows), P, 4, dtype=torch.long, device=features.device)
            for b, r in enumerate(rows):
                if r:
                    index[b, :len(r)] = torch.tensor(r, dtype=torch.long)
            probs = model.head.pair_probabilities(features, index).cpu().numpy()
            for b, r in enumerate(rows):
                for k, row in enumerate(r):
                    raws[b][2][tuple(row)] = probs[b, k]
        return raws

    @staticmethod
    def decode(raw, n, schema, d):
        span_probs, _, pair_probs = raw
        ents = decode_spans(span_probs, n, schema, d["suppress_overlaps"])
        probs = [pair_probs[tuple(row)] for row in pair_index(ents)]
        return ents, decode_pairs(ents, probs, schema, d["rel_threshold"])

    @staticmethod
    def meta(d):
        return {"thresholds": {"relation": d["rel_threshold"]}, "suppress_overlaps": d["suppress_overlaps"]}
