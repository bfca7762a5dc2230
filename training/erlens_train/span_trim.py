"""Span trimming by a package's guidelines (model.json `span_trim`; twin of server/src/decoders/spanTrim.ts)."""


def trim_spans(entities, relations, words, trim):
    """Words a package's guidelines keep out of a type's spans (model.json `span_trim`), cut from the
    edges; coinciding entities merge (best score) and relations follow. Twin of
    server/src/decoders/spanTrim.ts, both tested on spec/fixtures/span-trim.json."""
    if not trim or not entities:
        return entities, relations
    out = []
    for s, e, t, p in entities:
        rule = trim.get(t)
        if rule:
            lead, trail = set(rule.get("leading", ())), set(rule.get("trailing", ()))
            while e - s > 1 and words[s].lower() in lead:
                s += 1
            while e - s > 1 and words[e - 1].lower() in trail:
                e -= 1
        out.append((s, e, t, p))
    if out == list(entities):
        return entities, relations
    index, merged, by_key = [], [], {}
    for ent in out:
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
        if h != t and (h, t, r) not in seen:
            seen.add((h, t, r))
            rels.append((h, t, r, p))
    return merged, rels
