"""A gazetteer feature: which words of a sentence a name list (a drug dictionary) covers.

Why: the clinical model learns drug names from ADE and DDI, which hold a few thousand of them; real notes
name brands and classes those corpora never show (Claritin, Enablex, Ancef, "antibiotics"), and words the
model has never seen as drugs it guesses from their shape ("ABC", "Kerlix"). A dictionary of 100,000 drug
names and brands, given to the encoder as one more feature per word, tells it what the name list says; the
model still decides, from context, whether the name is used as a drug here (as gazetteer features are used
in NER since Ratinov & Roth 2009, and as medspaCy's target rules are used, but learned rather than obeyed).

Matching (spec/featurizer.md, "gazetteer"; server/src/model/gazetteer.ts is the twin): entries and words
are compared in NFC lower case; left to right, the longest entry that starts at a word wins (ids: 2 for its
first word, 3 for the rest), a word no entry starts at gets 1; 0 is padding.
"""
import bz2
import importlib.util
import os
import pickle
import unicodedata

from .wordtok import words as tokenize_words

PAD, OUTSIDE, BEGIN, INSIDE = 0, 1, 2, 3
N_TAGS = 4
FILE = "gazetteer.txt"  # in a training run's folder
PACKAGE_FILE = "gazetteer.txt.gz"  # in a package: gzip (package_files.py), a quarter of the size
# Entries longer than this many words are left out: they are product descriptions ("abacavir, dolutegravir,
# and lamivudine" is three drugs, which the words themselves already cover), and the cap bounds the match.
MAX_ENTRY_WORDS = 6


def fold(word):
    return unicodedata.normalize("NFC", word).lower()


class Gazetteer:
    def __init__(self, entries):
        """entries: sequences of words (already tokenised by the server's word rules)."""
        self.entries = {tuple(fold(w) for w in e) for e in entries if e}
        self.max_words = max((len(e) for e in self.entries), default=0)

    def __len__(self):
        return len(self.entries)

    def tags(self, tokens):
        folded = [fold(t) for t in tokens]
        out, i, n = [], 0, len(folded)
        while i < n:
            for length in range(min(self.max_words, n - i), 0, -1):
                if tuple(folded[i:i + length]) in self.entries:
                    out.append(BEGIN)
                    out.extend([INSIDE] * (length - 1))
                    i += length
                    break
            else:
                out.append(OUTSIDE)
                i += 1
        return out

    def spans(self, tokens):
        """The (start, end) word spans of the matches, in order."""
        tags, out = self.tags(tokens), []
        for i, tag in enumerate(tags):
            if tag == BEGIN:
                out.append([i, i + 1])
            elif tag == INSIDE:
                out[-1][1] = i + 1
        return [tuple(s) for s in out]

    def file_text(self):
        """One entry a line, its words separated by one space, sorted (a stable package file)."""
        return "".join(" ".join(e) + "\n" for e in sorted(self.entries))

    @classmethod
    def from_text(cls, text):
        return cls(line.split(" ") for line in text.split("\n") if line)

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_text(f.read())


def _drug_dictionary_variants():
    """Every name variant (generic, brand, synonym) in the drug dictionary that the PyPI package
    `drug-named-entity-recognition` (MIT; MeSH, DrugBank vocabulary, MedlinePlus, Wikipedia) ships inside
    its wheel, and the package's own stop list (common words and manufacturers it never reports alone).
    Read from the installed package's folder: nothing is downloaded."""
    folder = _package_folder("drug_named_entity_recognition", "drug-named-entity-recognition")
    # The package's __init__ imports modules that talk to web APIs; only its data files are needed.
    with bz2.open(os.path.join(folder, "drug_ner_dictionary.pkl.bz2"), "rb") as f:
        data = pickle.load(f)
    spec = importlib.util.spec_from_file_location("_drug_ner_util", os.path.join(folder, "util.py"))
    util = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(util)
    return list(data["drug_variant_to_canonical"].keys()), set(util.stopwords)


def _package_folder(module, requirement):
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer needs the Python package %s (training/requirements.txt: "
                           "scripts/setup-python.sh installs it)" % requirement)
    return list(spec.submodule_search_locations)[0]


SOURCES = {"drug-named-entity-recognition": _drug_dictionary_variants}


def _useful(tokens, stopwords):
    """Entries that could only ever mark noise: one or two characters ("c", "pp"), no letter at all,
    and entries that begin or end with a common word (the name list's own stop list, or a word of two
    letters: "at 10", "of"; a lone letter: "a") or with a punctuation mark ("alcohol ,"). A single letter
    at the edge of a longer name is part of it ("amphotericin B", "mitomycin C", "L-asparaginase",
    "D-penicillamine", "vitamin D"): without those entries the feature would mark "amphotericin" alone,
    a boundary the annotations never draw."""
    text = "".join(tokens)
    if len(text) <= 2 or not any(ch.isalpha() for ch in text):
        return False
    shortest = 1 if len(tokens) == 1 else 2  # an edge word this short or shorter is a common word
    return all(fold(t) not in stopwords and t[0].isalnum() and not (t.isalpha() and shortest <= len(t) <= 2)
               for t in (tokens[0], tokens[-1]))


def _name_file(path):
    """A list of one's own (a hospital's formulary, say): one name a line, UTF-8; no stop list."""
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")], set()


def build(spec):
    """The gazetteer a config asks for (encoder.gazetteer): {"source": a name in SOURCES} or {"path": a
    name file}, plus optional "exclude" (entries, any case, to leave out: names a dictionary has that are
    not what the model should mark). Entries are tokenised by the server's word rules."""
    if spec.get("path"):
        variants, stopwords = _name_file(spec["path"])
    elif spec.get("source") in SOURCES:
        variants, stopwords = SOURCES[spec["source"]]()
    else:
        raise ValueError("encoder.gazetteer needs a path or a source (known: %s)" % ", ".join(sorted(SOURCES)))
    drop = {tuple(fold(w) for w in tokenize_words(e)) for e in spec.get("exclude", ())}
    entries = []
    for variant in variants:
        tokens = tokenize_words(variant)
        if tokens and len(tokens) <= MAX_ENTRY_WORDS and _useful(tokens, stopwords):
            key = tuple(fold(w) for w in tokens)
            if key not in drop:
                entries.append(tokens)
    return Gazetteer(entries)
