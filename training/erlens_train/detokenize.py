"""Gold tokens -> the running text they were cut from, with each token's [start, end) in it.

Twin of server/src/eval/detokenize.ts (spec/detokenize.md; both tested on spec/fixtures/detokenize.json):
PTB-style spacing, and hyphens and slashes between two words or numbers joined without spaces, as the
sources of ADE and DDI wrote them ("Gemcitabine - induced" -> "Gemcitabine-induced").
"""
import re

NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "''", "'s", "'S", "n't", "N'T",
                   "'re", "'ve", "'ll", "'d", "'m", "..."}
NO_SPACE_AFTER = {"(", "[", "{", "``", "$", "#"}
JOINERS = {"-", "/"}
_ALNUM_END = re.compile(r"[^\W_]$")
_ALNUM_START = re.compile(r"^[^\W_]")


def detokenize(tokens):
    """-> (text, [(start, end)] per token), offsets in code points."""
    text = ""
    spans = []
    open_quote = False
    for i, tok in enumerate(tokens):
        space = i > 0
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok in NO_SPACE_BEFORE:
            space = False
        if prev is not None and prev in NO_SPACE_AFTER:
            space = False
        if tok in JOINERS and prev is not None and nxt is not None and _ALNUM_END.search(prev) and _ALNUM_START.search(nxt):
            space = False
        if prev is not None and prev in JOINERS and i >= 2 and _ALNUM_END.search(tokens[i - 2]) and _ALNUM_START.search(tok):
            space = False
        if tok == '"':
            if open_quote:
                space = False  # closing quote hugs the word before
            open_quote = not open_quote
        elif prev == '"' and open_quote:
            space = False  # the word after an opening quote
        if space:
            text += " "
        spans.append((len(text), len(text) + len(tok)))
        text += tok
    return text, spans
