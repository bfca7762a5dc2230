"""The shared JSONL format (../shared/data/README.md): loading, validation and the label schema."""
import json
import os


class DataError(ValueError):
    """A data file that cannot be used as it is; the message names the file and line."""


class Sentence:
    __slots__ = ("id", "tokens", "entities", "relations", "text", "coverage", "weight", "unknown_spans")

    def __init__(self, id, tokens, entities, relations, text=None):
        self.id = id
        self.tokens = tokens
        # entities: list of (start, end_exclusive, type); relations: list of (head_idx, tail_idx, type)
        self.entities = entities
        self.relations = relations
        self.text = text  # the untokenised sentence, when the data file has one (ade_neg)
        # What the sentence's source annotates (sources.Coverage); None = everything, fully.
        self.coverage = None
        self.weight = 1.0  # loss weight of the sentence (sources.py)
        # (start, end) spans whose entity cells do not train: the source may have left them unannotated
        # (sources.py, "unannotated_listed")
        self.unknown_spans = ()

    def entity_set(self):
        return {(s, e, t) for s, e, t in self.entities}

    def relation_set(self):
        return {(self.entities[h], r, self.entities[t]) for h, t, r in self.relations}

    def to_json(self):
        return {
            "id": self.id,
            "tokens": self.tokens,
            "entities": [{"type": t, "start": s, "end": e} for s, e, t in self.entities],
            "relations": [{"type": r, "head": h, "tail": t} for h, t, r in self.relations],
        }


def parse_sentence(obj, where="<input>"):
    if not isinstance(obj, dict) or not isinstance(obj.get("tokens"), list):
        raise DataError("%s: expected an object with a 'tokens' list" % where)
    tokens = obj["tokens"]
    if not all(isinstance(t, str) and t != "" for t in tokens):
        raise DataError("%s: every token must be a non-empty string" % where)
    entities = []
    for i, e in enumerate(obj.get("entities", [])):
        s, en, ty = e.get("start"), e.get("end"), e.get("type")
        if not (isinstance(s, int) and isinstance(en, int) and 0 <= s < en <= len(tokens) and isinstance(ty, str)):
            raise DataError("%s: entity %d has a bad span or type: %r" % (where, i, e))
        entities.append((s, en, ty))
    relations = []
    for i, r in enumerate(obj.get("relations", [])):
        h, t, ty = r.get("head"), r.get("tail"), r.get("type")
        if not (isinstance(h, int) and isinstance(t, int) and 0 <= h < len(entities) and 0 <= t < len(entities)
                and isinstance(ty, str)):
            raise DataError("%s: relation %d points outside the entity list: %r" % (where, i, r))
        relations.append((h, t, ty))
    text = obj.get("text") if isinstance(obj.get("text"), str) else None
    return Sentence(str(obj.get("id", where)), tokens, entities, relations, text)


def jsonl_objects(path):
    """(line number, object) for every non-empty line of a JSONL file; a line that is not JSON is an error."""
    if not os.path.isfile(path):
        raise FileNotFoundError("data file not found: %s" % path)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError("%s:%d: not valid JSON (%s)" % (path, n, err)) from None


def load_jsonl(path):
    out = [parse_sentence(obj, "%s:%d" % (path, n)) for n, obj in jsonl_objects(path)]
    if not out:
        raise DataError("%s holds no sentences" % path)
    return out


class Schema:
    """Entity and relation type inventories, in a fixed (sorted) order that indexes the tables."""

    def __init__(self, entity_types, relation_types, symmetric=(), relation_arguments=None):
        self.entity_types = list(entity_types)
        self.relation_types = list(relation_types)
        self.symmetric = sorted(set(symmetric))
        self.ent_index = {t: i for i, t in enumerate(self.entity_types)}
        self.rel_index = {t: i for i, t in enumerate(self.relation_types)}
        # relation type -> the (head type, tail type) pairs its training data has; None: unconstrained
        self.relation_arguments = relation_arguments
        # entity type -> words the guidelines keep off its span edges (span_trim.trim_spans); set from the config
        self.span_trim = None

    @classmethod
    def from_sentences(cls, sentences, symmetric=()):
        ents = sorted({t for s in sentences for _, _, t in s.entities})
        rels = sorted({t for s in sentences for _, _, t in s.relations})
        args = {r: set() for r in rels}
        for s in sentences:
            for h, t, r in s.relations:
                args[r].add((s.entities[h][2], s.entities[t][2]))
        return cls(ents, rels, symmetric, {r: sorted(map(list, a)) for r, a in args.items()})

    def allows(self, rtype, head_type, tail_type):
        """May a relation of this type join these argument types? (A symmetric type either way round.)"""
        if self.relation_arguments is None or rtype not in self.relation_arguments:
            return True
        pairs = self.relation_arguments[rtype]
        return [head_type, tail_type] in pairs or (rtype in self.symmetric and [tail_type, head_type] in pairs)

    def to_json(self):
        out = {"entity_types": self.entity_types, "relation_types": self.relation_types,
               "symmetric_relations": self.symmetric}
        if self.relation_arguments is not None:
            out["relation_arguments"] = self.relation_arguments
        if self.span_trim:
            out["span_trim"] = self.span_trim
        return out

    @classmethod
    def from_json(cls, obj):
        schema = cls(obj["entity_types"], obj["relation_types"], obj.get("symmetric_relations", ()),
                     obj.get("relation_arguments"))
        schema.span_trim = obj.get("span_trim")
        return schema
