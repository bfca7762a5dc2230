"""Decoding PFN/MGE tables into entities and relations (../shared/docs/models.md §4.5).

The TypeScript decoder (server/src/decoders/tableDecoder.ts) implements the same rules; both
are tested against spec/fixtures/table-decoder.json.
"""


def decode_tables(ent_probs, rel_probs, n_words, schema, ent_threshold=0.5, rel_threshold=0.5, pair_policy="all"):
    """ent_probs: [N,N,|E|] nested lists or array (i = first word, j = last word);
    rel_probs: [N,N,|R|] (subject first word, object first word).
    Returns (entities, relations): entities [(start, end_excl, type, score)],
    relations [(head_index, tail_index, type, score)] indexing the returned entity list."""
    if pair_policy not in ("all", "best"):
        raise ValueError("pair_policy must be 'all' or 'best', not %r" % (pair_policy,))
    entities = []
    for i in range(n_words):
        for j in range(i, n_words):
            row = ent_probs[i][j]
            for k, etype in enumerate(schema.entity_types):
                p = float(row[k])
                if p >= ent_threshold:
                    entities.append((i, j + 1, etype, p))
    # Order: by start, then end, then type: deterministic and the same in TypeScript.
    entities.sort(key=lambda e: (e[0], e[1], schema.ent_index[e[2]]))
    by_start = {}
    for idx, e in enumerate(entities):
        by_start.setdefault(e[0], []).append(idx)
    if pair_policy == "best":
        for start, idxs in by_start.items():
            best = max(idxs, key=lambda x: (entities[x][3], -x))
            by_start[start] = [best]
    symmetric = set(schema.symmetric)
    starts = sorted(by_start)
    relations = []
    for i in starts:
        for m in starts:
            for l, rtype in enumerate(schema.relation_types):
                if rtype in symmetric:
                    # One unordered decision per pair of start words, emitted with the earlier
                    # argument as head (how symmetric types are mostly annotated).
                    if i > m:
                        continue
                    p = max(float(rel_probs[i][m][l]), float(rel_probs[m][i][l]))
                else:
                    p = float(rel_probs[i][m][l])
                if p < rel_threshold:
                    continue
                for h in by_start[i]:
                    for t in by_start[m]:
                        if h != t and not (rtype in symmetric and i == m and h > t):
                            relations.append((h, t, rtype, p))
    return entities, relations


def as_scoring_items(entities, relations):
    """Decoded output -> the (entities, relations) sets that metrics.score expects."""
    ents = [(s, e, t) for s, e, t, _ in entities]
    rels = [((entities[h][0], entities[h][1], entities[h][2]), r, (entities[t][0], entities[t][1], entities[t][2]))
            for h, t, r, _ in relations]
    return ents, rels


def constrain(entities, relations, schema):
    """Drop relations whose argument types the training data never joined with that relation type
    (schema.relation_arguments): a decoder never shows "Person -> Adverse-Effect -> City". Applied
    after every decoder family, in PyTorch evaluation and in the server (server/src/decoders/constraints.ts)."""
    return entities, [r for r in relations if schema.allows(r[2], entities[r[0]][2], entities[r[1]][2])]


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
