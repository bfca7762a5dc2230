"""Decoding the "tag-table" family (Table-Sequence, TablERT-CNN): a softmax tag per word and a
softmax relation label per word-pair cell (../shared/docs/models.md §1.4, §2.3).

Tag and cell ids are those of architectures/tag_targets.py. The TypeScript decoder
(server/src/decoders/tagTable.ts) implements the same rules; both are tested against
spec/fixtures/tag-table-decoder.json. Sums run in the same order in both (float64), so scores agree
to the last bit.
"""


def argmax(row):
    """Index of the first maximum (ties go to the lower id, as in TypeScript)."""
    best, best_p = 0, float(row[0])
    for k in range(1, len(row)):
        p = float(row[k])
        if p > best_p:
            best, best_p = k, p
    return best, best_p


def tag_spans(tag_probs, n, scheme):
    """-> [(start, end_excl, type_index, score)], score = mean over the span's words of the chosen tag's
    probability. BIO: B opens; I continues an open entity of its type, otherwise opens a new one; O and a
    type change close. BILOU (TablERT-CNN's rule): a running start; O moves it past the word; B and I
    continue; L and U close an entity from the running start to this word, typed by this word."""
    width = 2 if scheme == "BIO" else 4
    chosen = [argmax(tag_probs[i]) for i in range(n)]
    spans = []
    if scheme == "BIO":
        cur = None  # [start, type, sum of probabilities]
        for i, (tag, p) in enumerate(chosen):
            if tag == 0:
                if cur:
                    spans.append((cur[0], i, cur[1], cur[2] / (i - cur[0])))
                cur = None
                continue
            etype, prefix = (tag - 1) // width, (tag - 1) % width
            if prefix == 1 and cur and cur[1] == etype:
                cur[2] += p
                continue
            if cur:
                spans.append((cur[0], i, cur[1], cur[2] / (i - cur[0])))
            cur = [i, etype, p]
        if cur:
            spans.append((cur[0], n, cur[1], cur[2] / (n - cur[0])))
        return spans
    start, acc = 0, 0.0
    for i, (tag, p) in enumerate(chosen):
        if tag == 0:
            start, acc = i + 1, 0.0
            continue
        acc += p
        etype, prefix = (tag - 1) // width, (tag - 1) % width
        if prefix >= 2:  # L or U
            spans.append((start, i + 1, etype, acc / (i + 1 - start)))
            start, acc = i + 1, 0.0
    return spans


def block_relations(table, spans, n_rel):
    """Table-Sequence (§1.4): for every ordered pair (a, b) of distinct entities, sum over all word pairs
    (i in a, j in b) of P[i,j,r-forward] + P[j,i,r-backward] per type, and of P[i,j,none] + P[j,i,none];
    the argmax wins. Confidence = sum / (2 |a| |b|)."""
    out = []
    for a, (as_, ae, _, _) in enumerate(spans):
        for b, (bs, be, _, _) in enumerate(spans):
            if a == b:
                continue
            sums = [0.0] * (n_rel + 1)
            for i in range(as_, ae):
                for j in range(bs, be):
                    sums[0] += float(table[i][j][0])
                    sums[0] += float(table[j][i][0])
                    for r in range(n_rel):
                        sums[r + 1] += float(table[i][j][1 + 2 * r])
                        sums[r + 1] += float(table[j][i][2 + 2 * r])
            k, best = argmax(sums)
            if k:
                out.append((a, b, k - 1, best / (2 * (ae - as_) * (be - bs))))
    return out


def last_word_relations(table, spans):
    """TablERT-CNN (§2.3, the paper's rule): one cell per unordered entity pair, at (earlier last word,
    later last word); r-forward makes the entity ending first the subject, r-backward the other one."""
    out = []
    for a in range(len(spans)):
        for b in range(a + 1, len(spans)):
            la, lb = spans[a][1] - 1, spans[b][1] - 1
            if la == lb:
                continue
            (p, first), (q, second) = sorted(((la, a), (lb, b)))
            k, prob = argmax(table[p][q])
            if k == 0:
                continue
            r, forward = (k - 1) // 2, (k - 1) % 2 == 0
            head, tail = (first, second) if forward else (second, first)
            out.append((head, tail, r, prob))
    return out


def decode_tag_table(tag_probs, table_probs, n_words, schema, tagging, relation_cells):
    """tag_probs [n, n_tags], table_probs [n, n, 2|R|+1] (nested lists or arrays).
    Returns (entities, relations) in decode_span_table' format: entities [(start, end_excl, type, score)]
    sorted by (start, end, type index); relations [(head_index, tail_index, type, score)] sorted by
    (head, tail, type index)."""
    if tagging not in ("BIO", "BILOU"):
        raise ValueError("tagging must be 'BIO' or 'BILOU', not %r" % (tagging,))
    if relation_cells not in ("block", "last-word"):
        raise ValueError("relation_cells must be 'block' or 'last-word', not %r" % (relation_cells,))
    spans = tag_spans(tag_probs, n_words, tagging)
    spans.sort(key=lambda s: (s[0], s[1], s[2]))
    if relation_cells == "block":
        rels = block_relations(table_probs, spans, len(schema.relation_types))
    else:
        rels = last_word_relations(table_probs, spans)
    rels.sort(key=lambda r: (r[0], r[1], r[2]))
    entities = [(s, e, schema.entity_types[t], p) for s, e, t, p in spans]
    relations = [(h, t, schema.relation_types[r], p) for h, t, r, p in rels]
    return entities, relations
