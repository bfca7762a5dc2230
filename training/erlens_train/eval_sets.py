"""The data a training run is judged on: `dev` (the config's dev file) and the `watch` sets beside it,
and the one selection score that picks checkpoints (train.py) and decoding settings (tune.py).

A watch set is scored only on what it annotates: DDI dev on Drug mentions (it marks no effects),
ADE negatives on how often anything is predicted where the answer is nothing. In the config:

    "watch": [{"name": "ade_neg", "path": "../shared/data/ade_neg/dev.jsonl"},
              {"name": "ddi", "path": "../shared/data/ddi/dev.jsonl",
               "entity_types": {"drug": "Drug", "brand": "Drug", "group": "Drug", "drug_n": "Drug"},
               "relation_types": {}, "scored": {"entities": ["Drug"], "relations": false}}],
    "selection": [{"set": "dev", "metric": "re_macro"}, {"set": "ddi", "metric": "ner_micro"},
                  {"set": "ade_neg", "metric": "quiet"}]

A watch set may also be a file of sentences with `text` and character-offset entities and no tokens
(the clinical-note gold); it is tokenised by the server's tokenizer. `tune_selection` (default: the
same as `selection`) is what `tune` maximises: the clinical config selects checkpoints on the benchmark
sets and tunes its decoding thresholds (a confidence floor) with the clinical-note gold included.

Metrics: any key of metrics.headline, "quiet" (100 minus predicted relations per 100 sentences, at
least 0) or "default" (metrics.selection_score under the config's averaging). The selection score is
their mean; without "selection" it is "default" on dev, as before.
"""
import json

from .config import resolve
from .data import Sentence, load_jsonl
from .wordtok import tokenize
from .metrics import headline, score, selection_score
from .retokenize import retokenize
from .sources import drop_mentions, map_types


class EvalSet:
    def __init__(self, name, sentences, entity_types=None, relations=True):
        self.name = name
        self.entity_types = None if entity_types is None else set(entity_types)  # None: every type is scored
        self.relations = relations
        # the gold side holds only what is scored, like the predictions after restrict()
        if entity_types is not None or not relations:
            keep = {t: t for s in sentences for _, _, t in s.entities if self.entity_types is None or t in self.entity_types}
            sentences = [map_types(s, keep, None if relations else {}) for s in sentences]
        self.sentences = sentences

    def restrict(self, pred):
        ents, rels = pred
        if self.entity_types is not None:
            ents = [e for e in ents if e[2] in self.entity_types]
            rels = [r for r in rels if r[0][2] in self.entity_types and r[2][2] in self.entity_types]
        return ents, (rels if self.relations else [])

    def report(self, preds):
        """preds: (entities, relations) per sentence in scoring form (metrics.as_scoring_items)."""
        preds = [self.restrict(p) for p in preds]
        rep = score(self.sentences, preds)
        n = max(1, len(self.sentences))
        rep["predicted_relations_per_100"] = 100.0 * sum(len(r) for _, r in preds) / n
        rep["predicted_entities_per_100"] = 100.0 * sum(len(e) for e, _ in preds) / n
        rep["sentences_with_a_relation_percent"] = 100.0 * sum(1 for _, r in preds if r) / n
        return rep


def load_eval_sets(cfg, retok):
    sets = [EvalSet("dev", _load(cfg["dev"], None, None, retok))]
    for w in cfg.get("watch") or []:
        scored = w.get("scored", {})
        sets.append(EvalSet(w["name"], _load(w["path"], w.get("entity_types"), w.get("relation_types"), retok,
                                             w.get("drop_mentions")),
                            scored.get("entities"), scored.get("relations", True)))
    return sets


def load_text_jsonl(path):
    """Lines that carry text and character-offset entities but no tokens (../shared/notes/gold/dev.jsonl):
    tokenised by the server's tokenizer; an entity off its token boundaries stays out (a miss)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if not line.strip():
                continue
            row = json.loads(line)
            toks = tokenize(row["text"])
            starts = {a: i for i, (_, a, _) in enumerate(toks)}
            ends = {b: i for i, (_, _, b) in enumerate(toks)}
            index, ents = {}, []
            for k, e in enumerate(row.get("entities", [])):
                if e["start"] in starts and e["end"] in ends:
                    index[k] = len(ents)
                    ents.append((starts[e["start"]], ends[e["end"]] + 1, e["type"]))
            rels = [(index[r["head"]], index[r["tail"]], r["type"]) for r in row.get("relations", [])
                    if r["head"] in index and r["tail"] in index]
            out.append(Sentence(str(row.get("id", n)), [t for t, _, _ in toks], ents, rels, row["text"]))
    return out


def _load(path, entity_types, relation_types, retok, drop=None):
    with open(resolve(path), encoding="utf-8") as f:
        first = json.loads(f.readline())
    if "tokens" not in first:
        return [map_types(s, entity_types, relation_types) for s in load_text_jsonl(resolve(path))]
    out = [map_types(s, entity_types, relation_types) for s in load_jsonl(resolve(path))]
    if drop:
        out = [drop_mentions(s, {m.lower() for m in drop}) for s in out]
    return [retokenize(s, s.text)[0] for s in out] if retok else out


def metric(report, name, averaging):
    if name == "quiet":
        return max(0.0, 100.0 - report["predicted_relations_per_100"])
    if name == "default":
        return selection_score(report, averaging)
    return headline(report)[name]


def selection(cfg, reports, key="selection"):
    """reports: {set name: EvalSet.report(...)} -> the one number checkpoints (key "selection") and
    decoding settings ("tune_selection", default: the same) maximise."""
    items = cfg.get(key) or cfg.get("selection") or [{"set": "dev", "metric": "default"}]
    return sum(metric(reports[i["set"]], i["metric"], cfg["averaging"]) for i in items) / len(items)


def summary(reports):
    """A short per-set line for the training log."""
    out = {}
    for name, rep in reports.items():
        h = {k: round(v, 2) for k, v in headline(rep).items()}
        h["rel_per_100"] = round(rep["predicted_relations_per_100"], 2)
        out[name] = h
    return out
