"""Training data from several datasets that annotate different things.

ADE marks only the drugs and effects that take part in an adverse-effect relation; its negatives
(ade_neg) mark nothing at all, because the right answer there is "no relation"; DDI marks every drug
mention and no effects. Mixed naively, each would teach the model that the others' unannotated
mentions are not entities. So every source says, per label, what its silence means (`annotates`):

    "all"       every mention is annotated: an unannotated cell is a negative
    "positive"  annotated mentions are right, unannotated ones are unknown: only positives train
    "none"      the source says nothing about this label: the label's cells do not train at all

and the span-table loss (architectures/table_targets.py) masks cells accordingly. A config's `train`
is either a path (one fully annotated source, as before) or a list of sources:

    {"path": "../shared/data/ddi/train.jsonl", "name": "ddi",
     "entity_types": {"drug": "Drug", "brand": "Drug", "group": "Drug", "drug_n": "Drug"},  # rename; unlisted types dropped
     "relation_types": {},                                   # {} drops every relation of the source
     "annotates": {"entities": {"Drug": "all", "Adverse-Effect": "none"}, "relations": "none"},
     "drop_mentions": ["alcohol"],                           # mentions that are not entities under our guidelines
     "per_epoch": 3000,                                      # sentences drawn afresh each epoch (default: all)
     "weight": 1.0}                                          # loss weight of its sentences

`"unannotated_listed": "unknown"` (with an encoder gazetteer): a span the gazetteer lists but the source
left unannotated is neither positive nor negative, its entity cells do not train. DDI marks every drug
by name but drug classes only sometimes ("antibiotics": 40 of 81 mentions in train): counted as
negatives, the other 41 would teach the model to ignore exactly the classes notes name most.
`drop_mentions` harmonises annotation schemes: DDI marks "alcohol" as a drug (it interacts with many),
but ERlens' clinical guidelines (../shared/notes/gold/GUIDELINES.md) do not count alcohol or tobacco use
as medication. A dropped mention (case-insensitive, whole entity text) becomes an ordinary word, so in
a source that annotates that label fully it is a negative.
"""
import random

from .data import load_jsonl

MODES = ("all", "positive", "none")


class SourceError(ValueError):
    pass


class Coverage:
    """What one source annotates: a mode per entity type and per relation type (default "all")."""

    def __init__(self, entities=None, relations="all"):
        self.entities = dict(entities or {})
        self.relations = relations
        for mode in list(self.entities.values()) + ([relations] if isinstance(relations, str) else list(relations.values())):
            if mode not in MODES:
                raise SourceError("annotation mode must be one of %s, not %r" % (", ".join(MODES), mode))

    def entity_mode(self, etype):
        return self.entities.get(etype, "all")

    def relation_mode(self, rtype):
        return self.relations if isinstance(self.relations, str) else self.relations.get(rtype, "all")

    def is_full(self):
        return all(m == "all" for m in self.entities.values()) and (
            self.relations == "all" if isinstance(self.relations, str) else all(m == "all" for m in self.relations.values()))

    def to_json(self):
        return {"entities": self.entities, "relations": self.relations}


class Source:
    def __init__(self, spec, resolve):
        if isinstance(spec, str):
            spec = {"path": spec}
        if "path" not in spec:
            raise SourceError("a training source needs a 'path': %r" % (spec,))
        self.spec = spec
        self.path = resolve(spec["path"])
        self.name = spec.get("name") or spec["path"]
        self.entity_types = spec.get("entity_types")  # None: keep every type as it is
        self.relation_types = spec.get("relation_types")
        ann = spec.get("annotates", {})
        self.coverage = Coverage(ann.get("entities"), ann.get("relations", "all"))
        self.per_epoch = spec.get("per_epoch")
        self.weight = float(spec.get("weight", 1.0))
        self.drop_mentions = {m.lower() for m in spec.get("drop_mentions", [])}
        self.unannotated_listed = spec.get("unannotated_listed", "negative")
        if self.unannotated_listed not in ("negative", "unknown"):
            raise SourceError("%s: unannotated_listed must be 'negative' or 'unknown'" % self.name)
        if self.per_epoch is not None and (not isinstance(self.per_epoch, int) or self.per_epoch <= 0):
            raise SourceError("%s: per_epoch must be a positive whole number" % self.name)

    def load(self):
        out = []
        for s in load_jsonl(self.path):
            s = map_types(s, self.entity_types, self.relation_types)
            if self.drop_mentions:
                s = drop_mentions(s, self.drop_mentions)
            s.coverage = None if self.coverage.is_full() else self.coverage
            s.weight = self.weight
            out.append(s)
        return out


def map_types(s, entity_map, relation_map):
    """Rename (and drop) entity and relation types; relations of dropped entities go too."""
    if entity_map is None and relation_map is None:
        return s
    index, entities = {}, []
    for k, (a, b, t) in enumerate(s.entities):
        t2 = t if entity_map is None else entity_map.get(t)
        if t2 is not None and (a, b, t2) not in entities:
            index[k] = len(entities)
            entities.append((a, b, t2))
        elif t2 is not None:
            index[k] = entities.index((a, b, t2))
    relations = []
    for h, t, r in s.relations:
        r2 = r if relation_map is None else relation_map.get(r)
        if r2 is not None and h in index and t in index and (index[h], index[t], r2) not in relations:
            relations.append((index[h], index[t], r2))
    s.entities, s.relations = entities, relations
    return s


def drop_mentions(s, texts):
    """Remove entities whose text (tokens joined by spaces, lower case) is in `texts`, with their relations."""
    keep = [k for k, (a, b, _) in enumerate(s.entities) if " ".join(s.tokens[a:b]).lower() not in texts]
    index = {k: i for i, k in enumerate(keep)}
    s.relations = [(index[h], index[t], r) for h, t, r in s.relations if h in index and t in index]
    s.entities = [s.entities[k] for k in keep]
    return s


def load_sources(train_spec, resolve):
    """-> (sources, sentences per source)."""
    specs = train_spec if isinstance(train_spec, list) else [train_spec]
    sources = [Source(sp, resolve) for sp in specs]
    return sources, [src.load() for src in sources]


def epoch_indices(sources, sizes, epoch_seed):
    """Indices into the concatenated sentence list for one epoch: every sentence of a source without
    `per_epoch`, a fresh seeded draw of `per_epoch` sentences of one with it (all, if it has fewer)."""
    rng = random.Random(epoch_seed)
    out, offset = [], 0
    for src, n in zip(sources, sizes):
        idx = list(range(offset, offset + n))
        if src.per_epoch is not None and src.per_epoch < n:
            idx = sorted(rng.sample(idx, src.per_epoch))
        out.extend(idx)
        offset += n
    return out
