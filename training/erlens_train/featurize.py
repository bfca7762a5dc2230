"""Words -> model inputs, exactly as the TypeScript server does it (spec/featurizer.md).

Two encoder kinds share one input contract:
  input_ids [B,S], attention_mask [B,S], word_first_subword [B,N], word_mask [B,N]
and the `wordchar` kind adds char_ids [B,N,C]. For `wordchar` a "subword" is the whole word,
so S == N and word_first_subword is 0..N-1. Both sides are tested on spec/fixtures/featurizer.json.
"""
import json
import re
import unicodedata

PAD, UNK = 0, 1
_DIGIT = re.compile(r"[0-9]")


def normalise_word(w):
    """Words are compared in Unicode NFC form; the server normalises the same way."""
    return unicodedata.normalize("NFC", w)


class WordVocab:
    """Word -> id. Lookup order: exact, lower-case, lower-case with every ASCII digit as 0, UNK."""

    def __init__(self, words):
        # ids 0 and 1 are reserved for padding and unknown words
        self.words = list(words)
        self.index = {w: i + 2 for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError("word list has duplicates")

    def __len__(self):
        return len(self.words) + 2

    def lookup(self, word):
        w = normalise_word(word)
        for form in (w, w.lower(), _DIGIT.sub("0", w.lower())):
            i = self.index.get(form)
            if i is not None:
                return i
        return UNK

    @staticmethod
    def forms(word):
        w = normalise_word(word)
        return [w, w.lower(), _DIGIT.sub("0", w.lower())]


class CharVocab:
    """Unicode code point -> id; unseen characters map to UNK. Words are cut to max_chars code points."""

    def __init__(self, chars, max_chars):
        self.chars = list(chars)
        self.index = {c: i + 2 for i, c in enumerate(self.chars)}
        self.max_chars = max_chars

    def __len__(self):
        return len(self.chars) + 2

    def encode(self, word):
        cps = list(normalise_word(word))[: self.max_chars]
        return [self.index.get(c, UNK) for c in cps] or [UNK]


class WordCharFeaturizer:
    kind = "wordchar"

    def __init__(self, words, chars, max_chars=20, gazetteer=None):
        self.words = WordVocab(words)
        self.chars = CharVocab(chars, max_chars)
        self.gazetteer = gazetteer  # gazetteer.Gazetteer or None: adds gazetteer_ids

    def encode(self, tokens):
        """One sentence -> dict of python lists (unpadded)."""
        out = {
            "input_ids": [self.words.lookup(t) for t in tokens],
            "char_ids": [self.chars.encode(t) for t in tokens],
            "word_first_subword": list(range(len(tokens))),
            "n_subwords": len(tokens),
        }
        if self.gazetteer is not None:
            out["gazetteer_ids"] = self.gazetteer.tags(tokens)
        return out

    def files(self):
        from .gazetteer import PACKAGE_FILE as GAZETTEER_FILE
        files = {"vocab.words.txt": "\n".join(self.words.words) + "\n",
                 "vocab.chars.json": json.dumps(self.chars.chars, ensure_ascii=False)}
        if self.gazetteer is not None:
            files[GAZETTEER_FILE] = self.gazetteer.file_text()
        return files


class WordPieceFeaturizer:
    """BERT-style WordPiece over already split words: [CLS] pieces(w1) pieces(w2) ... [SEP].

    The pieces come from Hugging Face `tokenizers` reading the encoder's own tokenizer.json, one word at a
    time without special tokens, after NFC: what the server does with @huggingface/tokenizers
    (server/src/model/featurizer.ts), so both sides cut words the same way. `windowed`: the encoder
    splits inputs longer than `max_subwords` into overlapping windows itself (encoders.py), so encode()
    takes any length; otherwise a longer sentence is an error (spec/featurizer.md: the caller splits).
    """
    kind = "transformer"

    def __init__(self, tokenizer, max_subwords=512, windowed=False):
        import json as _json
        spec = _json.loads(tokenizer.to_str())
        if spec["model"].get("type") != "WordPiece":
            raise ValueError("only WordPiece tokenizers are supported, not %s" % spec["model"].get("type"))
        # A sentence-transformers tokenizer.json pads every input to 128 and truncates: per word, never.
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self.tokenizer = tokenizer
        self.max_subwords = max_subwords
        self.windowed = windowed
        self.lowercase = bool((spec.get("normalizer") or {}).get("lowercase", False))

        def tid(t):
            i = tokenizer.token_to_id(t)
            if i is None:
                raise ValueError("tokenizer.json has no %s token" % t)
            return i

        self.unk_id, self.cls_id, self.sep_id = tid(spec["model"].get("unk_token", "[UNK]")), tid("[CLS]"), tid("[SEP]")
        self.specials = [t["content"] for t in spec.get("added_tokens", []) if t.get("content")]
        self._memo = {}

    @classmethod
    def from_file(cls, path, max_subwords=512, windowed=False):
        from tokenizers import Tokenizer
        return cls(Tokenizer.from_file(path), max_subwords, windowed)

    @classmethod
    def from_vocab(cls, vocab, lowercase=False, max_subwords=512, windowed=False):
        """From a token -> id vocabulary (vocab.txt, the spec fixture), as a BERT tokenizer.json."""
        import json as _json
        from tokenizers import Tokenizer
        return cls(Tokenizer.from_str(_json.dumps(tokenizer_json(vocab, lowercase))), max_subwords, windowed)

    @property
    def vocab(self):
        return self.tokenizer.get_vocab()

    def save(self, path):
        self.tokenizer.save(path)

    def pieces(self, word):
        out = self._memo.get(word)
        if out is not None:
            return out
        w = normalise_word(word)
        if any(s in w for s in self.specials):
            # A word that spells a special token ("[CLS]") is text, not the token: the tokenizer would
            # match it as an added token before normalising. Splitting at punctuation first is what the
            # BERT pre-tokenizer does anyway (and what the server does).
            parts = split_at_punctuation(w)
        else:
            parts = [w]
        ids = [i for p in parts for i in self.tokenizer.encode(p, add_special_tokens=False).ids]
        out = ids or [self.unk_id]
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[word] = out
        return out

    def encode(self, tokens):
        ids, first = [self.cls_id], []
        for t in tokens:
            first.append(len(ids))
            ids.extend(self.pieces(t))
        ids.append(self.sep_id)
        if len(ids) > self.max_subwords and not self.windowed:
            raise ValueError("sentence needs %d subwords, over the encoder's window of %d; split it first"
                             % (len(ids), self.max_subwords))
        return {"input_ids": ids, "word_first_subword": first, "n_subwords": len(ids)}


def tokenizer_json(vocab, lowercase):
    """A BERT WordPiece tokenizer.json (as a dict) that `tokenizers` and @huggingface/tokenizers load."""
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for t in special if t in vocab],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": None,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": dict(vocab)},
    }


def split_at_punctuation(word):
    """The word cut before and after every punctuation character (featurizer.ts does the same)."""
    return _cut(word, lambda ch: "piece" if _is_punct(ch) else "keep")


def _cut(word, role):
    """Cut a word into chunks by what `role(ch)` says of each character: "keep" (part of the current chunk),
    "piece" (a chunk of its own), "break" (ends the chunk, dropped) or "drop" (ignored)."""
    out, cur = [], []
    for ch in word:
        r = role(ch)
        if r == "keep":
            cur.append(ch)
            continue
        if r == "drop":
            continue
        if cur:
            out.append("".join(cur)); cur = []
        if r == "piece":
            out.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def basic_split(word):
    """Kept for wordpiece_learn.py, which counts pre-tokenised chunks to learn a vocabulary (featurizing goes
    through `tokenizers`). BERT BasicTokenizer on one word: drop control chars, split on whitespace and punctuation,
    and put every CJK ideograph on its own."""
    def role(ch):
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
            return "drop"
        if ch.isspace():
            return "break"
        return "piece" if _is_punct(ch) or _is_cjk(cp) else "keep"
    return _cut(word, role)


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class HybridFeaturizer:
    """WordPiece subwords for the pretrained encoder plus word and char ids for the wordchar part
    (encoders.HybridEncoder): input_ids are subwords, word_ids and char_ids are per word."""
    kind = "hybrid"

    def __init__(self, wordpiece, wordchar):
        self.wordpiece, self.wordchar = wordpiece, wordchar
        self.max_subwords = wordpiece.max_subwords
        self.lowercase = wordpiece.lowercase
        self.gazetteer = wordchar.gazetteer

    def encode(self, tokens):
        out = self.wordpiece.encode(tokens)
        wc = self.wordchar.encode(tokens)
        out["word_ids"], out["char_ids"] = wc["input_ids"], wc["char_ids"]
        if "gazetteer_ids" in wc:
            out["gazetteer_ids"] = wc["gazetteer_ids"]
        return out


def batch(encoded, featurizer_kind):
    """Pad a list of encoded sentences into torch tensors (the ONNX graph's inputs)."""
    import torch
    B = len(encoded)
    S = max(1, max(e["n_subwords"] for e in encoded))
    N = max(1, max(len(e["word_first_subword"]) for e in encoded))
    input_ids = torch.zeros(B, S, dtype=torch.long)
    attention_mask = torch.zeros(B, S, dtype=torch.long)
    first = torch.zeros(B, N, dtype=torch.long)
    word_mask = torch.zeros(B, N, dtype=torch.long)
    for b, e in enumerate(encoded):
        input_ids[b, : e["n_subwords"]] = torch.tensor(e["input_ids"], dtype=torch.long)
        attention_mask[b, : e["n_subwords"]] = 1
        n = len(e["word_first_subword"])
        first[b, :n] = torch.tensor(e["word_first_subword"], dtype=torch.long)
        word_mask[b, :n] = 1
    out = {"input_ids": input_ids, "attention_mask": attention_mask, "word_first_subword": first, "word_mask": word_mask}
    per_word = ["word_ids"] if featurizer_kind == "hybrid" else []
    per_word += ["gazetteer_ids"] if "gazetteer_ids" in encoded[0] else []
    for name in per_word:
        values = torch.zeros(B, N, dtype=torch.long)
        for b, e in enumerate(encoded):
            values[b, : len(e[name])] = torch.tensor(e[name], dtype=torch.long)
        out[name] = values
    if featurizer_kind in ("wordchar", "hybrid"):
        C = max(1, max((len(c) for e in encoded for c in e["char_ids"]), default=1))
        chars = torch.zeros(B, N, C, dtype=torch.long)
        for b, e in enumerate(encoded):
            for i, c in enumerate(e["char_ids"]):
                chars[b, i, : len(c)] = torch.tensor(c, dtype=torch.long)
        out["char_ids"] = chars
    return out
