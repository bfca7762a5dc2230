"""Learn a cased WordPiece vocabulary from the corpus (no `tokenizers` package here).

BPE merges over word counts (what Hugging Face's WordPiece trainer does too), written out as a BERT
vocab.txt: special tokens, every merged word-initial piece, and `##` continuation pieces. Words are
split the way the featurizer splits them (BERT basic pre-tokenisation), so the vocabulary fits what
the encoder will be fed.
"""
import collections
import gzip
import heapq

from .featurize import basic_split, normalise_word

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def count_words(paths, max_lines=None):
    counts = collections.Counter()
    n = 0
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                for w in line.split():
                    for chunk in basic_split(normalise_word(w)):
                        counts[chunk] += 1
                n += 1
                if max_lines and n >= max_lines:
                    return counts
    return counts


def learn_wordpiece(counts, vocab_size, min_count=2, alphabet_min=5):
    """counts: word -> frequency. Returns the vocabulary list (ids = positions)."""
    words = [(w, c) for w, c in counts.items() if c >= min_count]
    # alphabet: characters seen often enough, as word-initial and as continuation pieces
    char_counts = collections.Counter()
    for w, c in words:
        for ch in w:
            char_counts[ch] += c
    alphabet = sorted(ch for ch, c in char_counts.items() if c >= alphabet_min)
    allowed = set(alphabet)
    seqs, freqs = [], []
    for w, c in words:
        if all(ch in allowed for ch in w):
            seqs.append([w[0]] + ["##" + ch for ch in w[1:]])
            freqs.append(c)
    vocab = SPECIAL + alphabet + ["##" + ch for ch in alphabet]
    seen = set(vocab)
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for i, s in enumerate(seqs):
        for a, b in zip(s, s[1:]):
            pair_counts[(a, b)] += freqs[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)

    def merged(a, b):
        return a + (b[2:] if b.startswith("##") else b)

    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -neg or -neg < min_count:
            if pair_counts.get(pair, 0) >= min_count and pair_counts.get(pair, 0) != -neg:
                heapq.heappush(heap, (-pair_counts[pair], pair))  # stale entry: re-queue with the true count
            continue
        a, b = pair
        new = merged(a, b)
        if new not in seen:
            vocab.append(new)
            seen.add(new)
        touched = collections.Counter()
        for i in list(where.pop(pair, ())):
            s, f = seqs[i], freqs[i]
            for x, y in zip(s, s[1:]):
                pair_counts[(x, y)] -= f
                touched[(x, y)] += 0
            out, k = [], 0
            while k < len(s):
                if k + 1 < len(s) and s[k] == a and s[k + 1] == b:
                    out.append(new)
                    k += 2
                else:
                    out.append(s[k])
                    k += 1
            seqs[i] = out
            for x, y in zip(out, out[1:]):
                pair_counts[(x, y)] += f
                where[(x, y)].add(i)
                touched[(x, y)] += 0
        pair_counts.pop(pair, None)
        for p in touched:
            c = pair_counts.get(p, 0)
            if c <= 0:
                pair_counts.pop(p, None)
            else:
                heapq.heappush(heap, (-c, p))
    return vocab
