"""Run-on training examples: two sentences of one source joined into one input.

People do not write one sentence per line, and no sentence splitter is perfect: a news fragment that
ends in ";" or a dateline, a clinical line without a full stop, is read together with what follows.
A model trained only on single sentences meets such inputs out of distribution (CoNLL04 dev, five
sentences per paragraph: 65 of 231 gold sentences merged by the editor, strict RE 45 against 54 one per
line). With `"concat": rate` in the config, each epoch joins that share of its examples with another
sentence of the same source (so one annotation coverage holds for the whole input); entity and
relation indices of the second part are shifted, no relation crosses the join, so the model also learns
not to link across sentences. Seeded per epoch, like the batches.
"""
import random

from .data import Sentence


def join(a, b):
    n, k = len(a.tokens), len(a.entities)
    s = Sentence(a.id + "+" + b.id, a.tokens + b.tokens,
                 a.entities + [(x + n, y + n, t) for x, y, t in b.entities],
                 a.relations + [(h + k, t + k, r) for h, t, r in b.relations])
    s.coverage, s.weight = a.coverage, a.weight
    s.unknown_spans = tuple(a.unknown_spans) + tuple((x + n, y + n) for x, y in b.unknown_spans)
    return s


def run_ons(examples, groups, rate, seed, encode):
    """examples: [(Sentence, encoded)] of one epoch; groups: a source key per example. Returns the
    epoch's examples with `rate` of them replaced by their join with a random same-source partner."""
    if rate <= 0:
        return examples
    rng = random.Random(seed)
    by_group = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    out = []
    for i, (s, enc) in enumerate(examples):
        pool = by_group[groups[i]]
        if len(pool) > 1 and rng.random() < rate:
            j = pool[rng.randrange(len(pool) - 1)]
            if j == i:  # a partner other than itself: the last of the pool stands in
                j = pool[-1]
            joined = join(s, examples[j][0])
            try:
                out.append((joined, encode(joined.tokens)))
                continue
            except ValueError:
                pass  # too long for the encoder's window: keep the single sentence
        out.append((s, enc))
    return out


def drop_gazetteer_matches(examples, rate, seed):
    """Gazetteer dropout: each epoch hides `rate` of the name-list matches (their words read as outside),
    so the model keeps learning drugs from context and spelling, for the names no list holds, instead of
    leaning on the list alone. examples: [(Sentence, encoded)]; the encoded dicts are copied, not changed."""
    if rate <= 0:
        return examples
    from .gazetteer import BEGIN, INSIDE, OUTSIDE
    rng = random.Random(seed)
    out = []
    for s, e in examples:
        ids = e.get("gazetteer_ids")
        if not ids or BEGIN not in ids:
            out.append((s, e))
            continue
        ids, hide = list(ids), False
        for i, tag in enumerate(ids):
            if tag == BEGIN:
                hide = rng.random() < rate
            elif tag != INSIDE:
                hide = False
            if hide:
                ids[i] = OUTSIDE
        out.append((s, {**e, "gazetteer_ids": ids}))
    return out
