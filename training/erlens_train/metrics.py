"""Strict joint NER/RE scoring (../shared/docs/models.md §6).

An entity counts only with exact boundaries and type; a relation only when both arguments match
exactly (boundaries and types) and the relation type and direction are right. Boundary RE
ignores the two argument types and is reported as a secondary number.
"""


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


class _Counter:
    def __init__(self):
        self.by_type = {}

    def add(self, gold, pred, type_of):
        for item in pred | gold:
            c = self.by_type.setdefault(type_of(item), [0, 0, 0])
            if item in pred and item in gold:
                c[0] += 1
            elif item in pred:
                c[1] += 1
            else:
                c[2] += 1

    def report(self, gold_types):
        tp = sum(c[0] for c in self.by_type.values())
        fp = sum(c[1] for c in self.by_type.values())
        fn = sum(c[2] for c in self.by_type.values())
        per_type = {t: _prf(*self.by_type.get(t, [0, 0, 0])) for t in sorted(set(self.by_type) | gold_types)}
        # Macro: mean of per-type F1 over the types that occur in the gold data of this split.
        macro_types = sorted(gold_types)
        macro = sum(per_type[t]["f1"] for t in macro_types) / len(macro_types) if macro_types else 0.0
        return {"micro": _prf(tp, fp, fn), "macro_f1": macro, "per_type": per_type}


def score(gold_sentences, predictions):
    """gold_sentences: list of Sentence; predictions: list of (entities, relations) per sentence, where
    entities = [(start, end, type)] and relations = [((s,e,t), rel_type, (s,e,t))]."""
    if len(gold_sentences) != len(predictions):
        raise ValueError("%d gold sentences but %d predictions" % (len(gold_sentences), len(predictions)))
    ner, rel, rel_boundary = _Counter(), _Counter(), _Counter()
    gold_ent_types, gold_rel_types = set(), set()
    for gold, (p_ents, p_rels) in zip(gold_sentences, predictions):
        g_ents, g_rels = gold.entity_set(), gold.relation_set()
        gold_ent_types |= {t for _, _, t in g_ents}
        gold_rel_types |= {r for _, r, _ in g_rels}
        ner.add(g_ents, set(p_ents), lambda x: x[2])
        rel.add(g_rels, set(p_rels), lambda x: x[1])
        strip = lambda rs: {((h[0], h[1]), r, (t[0], t[1])) for h, r, t in rs}
        rel_boundary.add(strip(g_rels), strip(p_rels), lambda x: x[1])
    return {
        "sentences": len(gold_sentences),
        "ner": ner.report(gold_ent_types),
        "re_strict": rel.report(gold_rel_types),
        "re_boundary": rel_boundary.report(gold_rel_types),
    }


def headline(report):
    """The four numbers the CLI prints last, as percentages."""
    return {
        "ner_micro": 100 * report["ner"]["micro"]["f1"],
        "re_micro": 100 * report["re_strict"]["micro"]["f1"],
        "ner_macro": 100 * report["ner"]["macro_f1"],
        "re_macro": 100 * report["re_strict"]["macro_f1"],
    }


def selection_score(report, averaging):
    """Checkpoint selection: mean of NER F1 and strict RE F1 under the dataset's averaging."""
    h = headline(report)
    if averaging == "macro":
        return (h["ner_macro"] + h["re_macro"]) / 2
    return (h["ner_micro"] + h["re_micro"]) / 2


def as_scoring_items(entities, relations):
    """Decoded output -> the (entities, relations) sets that metrics.score expects."""
    ents = [(s, e, t) for s, e, t, _ in entities]
    rels = [((entities[h][0], entities[h][1], entities[h][2]), r, (entities[t][0], entities[t][1], entities[t][2]))
            for h, t, r, _ in relations]
    return ents, rels
