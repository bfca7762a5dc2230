"""The domain router: which kind of text a document is, so that only the models that fit it run.

    training/erlens-train router [--corpus ../shared/corpus] [--out models/domains.json]

A clinical model shown a news story, or a news model shown a clinical note, does not stay silent: it
tags "History" as a place and a person as an adverse effect. Each package says which domain it was
trained for (model.json `domain`), and the server (server/src/routing/domainRouter.ts) decides a
document's domain with this multinomial naive Bayes over lower-cased words, trained on the unlabelled
corpus: `clinical` = ../shared/corpus/biomed (consumer health, PubMed abstracts, clinical trials,
patient leaflets, biomedical NER sentences), `general` = news and encyclopedic text (news/*, Wikipedia,
Brown, US speeches), `science` = the ACL anthology. Naive Bayes, because it is the textbook tool for
this (fast, linear in the document, one small table to ship, easy to read); our own ~60 lines, not a
library, because the server must score it in TypeScript anyway.

Every 10th corpus line is held out; the report gives line-level and 10-line-document accuracy per
class on those lines.
"""
import argparse
import collections
import glob
import gzip
import json
import math
import os

from .wordtok import words

CLASSES = {
    "clinical": ["biomed/*"],
    "general": ["news/*", "general/wikipedia-*"],
    "science": ["science/*"],
}
# Training sentences of the labelled sets (train splits only) add the register of case reports and
# drug labels to the clinical class, and of the general model's own news to the general class.
DATASETS = {"clinical": ["ade", "ade_neg", "ddi"], "general": ["conll04"], "science": ["scierc"]}


def class_lines(corpus, patterns, limit):
    """Up to `limit` non-empty lines of the class, spread evenly over its shards."""
    files = sorted(f for p in patterns for f in glob.glob(os.path.join(corpus, p + ".txt.gz")))
    if not files:
        raise FileNotFoundError("no corpus shards for %s under %s" % (patterns, corpus))
    per_file = max(1, limit // len(files))
    out = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = [l.strip() for l in f if l.strip()]
        step = max(1, len(lines) // per_file)
        out.extend(lines[::step][:per_file])
    return out


def dataset_lines(data_dir, names):
    out = []
    for name in names:
        with open(os.path.join(data_dir, name, "train.jsonl"), encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                out.append(row.get("text") or " ".join(row["tokens"]))
    return out


def features(text):
    """Lower-cased words with a letter in them (numbers and punctuation say little about domain)."""
    return [w.lower() for w in words(text) if any(c.isalpha() for c in w)]


def train_router(corpus, data_dir, lines_per_class=60000, vocab_size=20000, min_count=5):
    counts = {c: collections.Counter() for c in CLASSES}
    held = {c: [] for c in CLASSES}
    for c, patterns in CLASSES.items():
        lines = class_lines(corpus, patterns, lines_per_class) + dataset_lines(data_dir, DATASETS.get(c, []))
        for i, line in enumerate(lines):
            if i % 10 == 9:
                held[c].append(line)
            else:
                counts[c].update(features(line))
    total = collections.Counter()
    for c in counts.values():
        total.update(c)
    vocab = [w for w, n in total.most_common(vocab_size) if n >= min_count]
    n_class = {c: sum(counts[c][w] for w in vocab) for c in CLASSES}
    classes = list(CLASSES)
    table = {}
    for w in vocab:
        logs = [math.log((counts[c][w] + 1) / (n_class[c] + len(vocab))) for c in classes]
        mean = sum(logs) / len(logs)
        table[w] = [round(x - mean, 3) for x in logs]  # centred: only differences between classes matter
    return {"classes": classes, "words": table}, held


def classify(router, text):
    """-> (class scores summed over known words, number of known words). Twin of domainRouter.ts."""
    scores = [0.0] * len(router["classes"])
    known = 0
    for w in features(text):
        row = router["words"].get(w)
        if row is None:
            continue
        known += 1
        for k, x in enumerate(row):
            scores[k] += x
    return scores, known


def accuracy(router, held, group=1):
    out = {}
    for c, lines in held.items():
        docs = [" ".join(lines[i:i + group]) for i in range(0, len(lines), group)]
        right = 0
        for d in docs:
            scores, _ = classify(router, d)
            right += router["classes"][max(range(len(scores)), key=scores.__getitem__)] == c
        out[c] = round(100.0 * right / max(1, len(docs)), 2)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train router", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=os.path.join("..", "shared", "corpus"))
    p.add_argument("--data", default=os.path.join("..", "shared", "data"))
    p.add_argument("--out", default=os.path.join("models", "domains.json"))
    p.add_argument("--lines-per-class", type=int, default=60000)
    p.add_argument("--vocab", type=int, default=20000)
    args = p.parse_args(argv)
    router, held = train_router(args.corpus, args.data, args.lines_per_class, args.vocab)
    router["held_out_accuracy"] = {"lines": accuracy(router, held, 1), "documents_of_10_lines": accuracy(router, held, 10)}
    router["trained_on"] = {c: {"corpus": CLASSES[c], "datasets (train)": DATASETS.get(c, [])} for c in CLASSES}
    router["tool"] = "erlens-train router (training/erlens_train/router.py): multinomial naive Bayes, add-one smoothing"
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(router, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(json.dumps(router["held_out_accuracy"]))
    print("wrote %s (%d words, %.0f KB)" % (args.out, len(router["words"]), os.path.getsize(args.out) / 1024))
    return 0
