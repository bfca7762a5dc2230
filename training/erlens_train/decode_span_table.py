"""The span-table decoder family (spec/decoder-span-table.md): PFN/MGE tables -> entities and relations
(../shared/docs/models.md §4.5).

The TypeScript twin (server/src/decoders/spanTable.ts) implements the same rules; both are tested
against spec/fixtures/span-table-decoder.json.
"""


def decode_span_table(ent_probs, rel_probs, n_words, schema, ent_threshold=0.5, rel_threshold=0.5, pair_policy="all",
                      ent_thresholds=None):
    """ent_probs: [N,N,|E|] nested lists or array (i = first word, j = last word);
    rel_probs: [N,N,|R|] (subject first word, object first word).
    ent_thresholds: {entity type: threshold} overriding ent_threshold for those types (a clinical model
    can then ask more confidence of a Drug, which users see everywhere, than of an effect).
    Returns (entities, relations): entities [(start, end_excl, type, score)],
    relations [(head_index, tail_index, type, score)] indexing the returned entity list."""
    if pair_policy not in ("all", "best"):
        raise ValueError("pair_policy must be 'all' or 'best', not %r" % (pair_policy,))
    thresholds = [(ent_thresholds or {}).get(t, ent_threshold) for t in schema.entity_types]
    entities = []
    for i in range(n_words):
        for j in range(i, n_words):
            row = ent_probs[i][j]
            for k, etype in enumerate(schema.entity_types):
                p = float(row[k])
                if p >= thresholds[k]:
                    entities.append((i, j + 1, etype, p))
    # Order: by start, then end, then type: deterministic and the same in TypeScript.
    entities.sort(key=lambda e: (e[0], e[1], schema.ent_index[e[2]]))
    entities = keep_strongest_spans(entities)
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


def keep_strongest_spans(entities):
    """Of sorted entities of one type that share a word, the highest-scoring (ties: the earlier); and of one span
    found with several types, its highest-scoring type. Other types may nest or overlap. No dataset or guideline
    marks a span inside a span of its own type or one span with two types, and a reader would see one word
    highlighted twice (spec/decoder-span-table.md, step 1)."""
    occupied = set()  # (word, type) covered by a kept span
    kept_spans = set()  # (start, end) of every kept span
    kept = set()
    for idx in sorted(range(len(entities)), key=lambda x: (-entities[x][3], x)):
        start, end, etype, _ = entities[idx]
        if (start, end) not in kept_spans and not any((w, etype) in occupied for w in range(start, end)):
            kept.add(idx)
            kept_spans.add((start, end))
            occupied.update((w, etype) for w in range(start, end))
    return [e for idx, e in enumerate(entities) if idx in kept]
