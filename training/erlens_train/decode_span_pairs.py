"""Decoding the "span-pairs" family (STSN, ../shared/docs/models.md §3.3): every span of up to
`max_width` words has a softmax over (no entity, types...); every ordered pair of kept spans gets
sigmoid relation probabilities from a second graph stage.

Decoding runs in two halves because the second stage needs the kept spans:
    entities = decode_spans(...)            -> pair_index(entities) -> stage "pairs" -> probabilities
    relations = decode_pairs(entities, probabilities, ...)
The TypeScript decoder (server/src/decoders/spanPairs.ts) implements the same rules; both are tested
against spec/fixtures/span-pairs-decoder.json.
"""
from .decode_tag_table import argmax


def decode_spans(span_probs, n_words, schema, suppress_overlaps=False):
    """span_probs [n, W, |E|+1] (start word, width - 1, class; class 0 = no entity).
    -> entities [(start, end_excl, type, score)] sorted by (start, end)."""
    kept = []
    for i in range(n_words):
        row = span_probs[i]
        for w in range(len(row)):
            if i + w >= n_words:
                break
            k, p = argmax(row[w])
            if k:
                kept.append((i, i + w + 1, schema.entity_types[k - 1], p))
    if suppress_overlaps:
        # greedy by score (ties: earlier start, then shorter), then back to reading order
        chosen, taken = [], [False] * n_words
        for e in sorted(kept, key=lambda e: (-e[3], e[0], e[1])):
            if not any(taken[e[0]:e[1]]):
                chosen.append(e)
                for t in range(e[0], e[1]):
                    taken[t] = True
        kept = sorted(chosen, key=lambda e: (e[0], e[1]))
    return kept


def pair_index(entities):
    """Rows [head start, head last word, tail start, tail last word] for every ordered pair of distinct
    entities, head-major: the input of the "pairs" stage."""
    return [[h[0], h[1] - 1, t[0], t[1] - 1] for a, h in enumerate(entities) for b, t in enumerate(entities) if a != b]


def decode_pairs(entities, pair_probs, schema, rel_threshold):
    """pair_probs [P, |R|] in pair_index order -> relations [(head_index, tail_index, type, score)]."""
    relations, row = [], 0
    for a in range(len(entities)):
        for b in range(len(entities)):
            if a == b:
                continue
            probs = pair_probs[row]
            row += 1
            for r, rtype in enumerate(schema.relation_types):
                p = float(probs[r])
                if p >= rel_threshold:
                    relations.append((a, b, rtype, p))
    return relations
