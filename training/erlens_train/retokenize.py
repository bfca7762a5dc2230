"""Training sentences re-tokenised by exactly the tokenizer the server runs (wordtok, the twin of
server/src/text/wordTokenizer.ts), so a model learns the word sequences it will be shown.

Each gold token gets character offsets in the sentence's text (the line's own `text` when it has one
and every token is found in it in order, else the detokenised tokens), the text is tokenised again,
and every gold entity keeps its characters: its new word span is the run of new tokens from the one
starting at its first character to the one ending at its last. An entity whose boundary falls inside
a new token cannot be represented; it is dropped from the training targets (with the relations that
use it) and counted, so the loss never teaches a span the server could not produce.

CoNLL04 glues many sentence-final periods to the last word, entity or not ("Kosovo."); the server's
tokenizer splits the period off, so such an entity would end in a "." token and teach the model to take
the sentence's full stop into names. Its trailing "." is trimmed (and counted), as raw-text evaluation
reports those gold entities separately.
"""
from .data import Sentence
from .detokenize import detokenize
from .wordtok import tokenize


def token_offsets(tokens, text):
    """Offsets of `tokens` found in order in `text`, or None when one is missing."""
    spans, pos = [], 0
    for t in tokens:
        i = text.find(t, pos)
        if i < 0:
            return None
        spans.append((i, i + len(t)))
        pos = i + len(t)
    return spans


def retokenize(sentence, text=None):
    """-> (new Sentence, list of entities that could not be represented as (start, end, type, text))."""
    spans = token_offsets(sentence.tokens, text) if text else None
    if spans is None:
        text, spans = detokenize(sentence.tokens)
    new = tokenize(text)
    by_start = {s: i for i, (_, s, _) in enumerate(new)}
    by_end = {e: i for i, (_, _, e) in enumerate(new)}
    index, entities, lost = {}, [], []
    for k, (s, e, t) in enumerate(sentence.entities):
        a, b = spans[s][0], spans[e - 1][1]
        if a in by_start and b in by_end and by_start[a] <= by_end[b]:
            first, last = by_start[a], by_end[b]
            if last > first and new[last][0] == "." and not sentence.tokens[e - 1] == ".":
                last -= 1  # "Kosovo." -> Kosovo (the period ends the sentence)
            index[k] = len(entities)
            entities.append((first, last + 1, t))
        else:
            lost.append((a, b, t, text[a:b]))
    relations = [(index[h], index[t], r) for h, t, r in sentence.relations if h in index and t in index]
    out = Sentence(sentence.id, [w for w, _, _ in new], entities, relations)
    out.text = text
    out.coverage, out.weight = sentence.coverage, sentence.weight
    return out, lost
