"""Span trimming by a package's guidelines (model.json `span_trim`; twin of server/src/decoders/spanTrim.ts).

A rule per entity type: `leading` / `trailing` words cut from the span's edges ("IV antibiotics" ->
antibiotics), `strength` (a leading "2 %" / "0.25 %" cut: "2% Xylocaine" -> Xylocaine) and `never`: the
things the guidelines say are not of the type (sutures, dressings, devices, procedures: "4-0 Vicryl",
"Steri-Strips", "Foley"), as phrases of the server's words; a span that is one of them, once the edges and
any leading size or number ("4 - 0") are cut, is dropped with its relations.
"""
import re

from .wordtok import words as tokenize_words

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
# What may stand before a `never` phrase and still be the same thing: sizes and counts ("4-0", "2").
_SIZE = re.compile(r"^(?:\d+(?:[.,]\d+)*|-|%|x)$")


def normalise(trim):
    """A config's rules as model.json stores them: `never` phrases tokenised by the server's word rules,
    lower case, one space between words (so "Steri-Strips" is "steri - strips"), sorted."""
    if not trim:
        return trim
    out = {}
    for etype, rule in trim.items():
        rule = dict(rule)
        if "never" in rule:
            rule["never"] = sorted({" ".join(tokenize_words(p.lower())) for p in rule["never"] if p.strip()})
        out[etype] = rule
    return out


def _never_key(words, s, e):
    while e - s > 1 and _SIZE.match(words[s].lower()):
        s += 1
    return " ".join(w.lower() for w in words[s:e])


def trim_spans(entities, relations, words, trim):
    """Words a package's guidelines keep out of a type's spans (model.json `span_trim`), cut from the
    edges; spans the guidelines say are not of the type dropped; coinciding entities merge (best score)
    and relations follow. Twin of server/src/decoders/spanTrim.ts, both tested on
    spec/fixtures/span-trim.json."""
    if not trim or not entities:
        return entities, relations
    out = []
    for s, e, t, p in entities:
        rule = trim.get(t)
        if rule:
            lead, trail = set(rule.get("leading", ())), set(rule.get("trailing", ()))
            while e - s > 1:
                if rule.get("strength") and e - s > 2 and _NUMBER.match(words[s]) and words[s + 1] == "%":
                    s += 2
                elif words[s].lower() in lead:
                    s += 1
                else:
                    break
            while e - s > 1 and words[e - 1].lower() in trail:
                e -= 1
            if _never_key(words, s, e) in set(rule.get("never", ())):
                out.append(None)
                continue
        out.append((s, e, t, p))
    if out == list(entities):
        return entities, relations
    index, merged, by_key = [], [], {}
    for ent in out:
        if ent is None:
            index.append(None)
            continue
        key = ent[:3]
        if key not in by_key:
            by_key[key] = len(merged)
            index.append(len(merged))
            merged.append(ent)
        else:
            k = by_key[key]
            index.append(k)
            if ent[3] > merged[k][3]:
                merged[k] = ent
    rels, seen = [], set()
    for h, t, r, p in relations:
        h, t = index[h], index[t]
        if h is not None and t is not None and h != t and (h, t, r) not in seen:
            seen.add((h, t, r))
            rels.append((h, t, r, p))
    return merged, rels
