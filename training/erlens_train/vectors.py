"""Train the project's own word vectors on ../shared/corpus with Debian's `fasttext`.

    training/erlens-train vectors --corpus ../shared/corpus --out .work/vectors

Steps (each skipped when its output exists, so an interrupted run resumes):
1. tokenise the chosen corpus domains with `wordtok` (the server's word rules) into one
   whitespace-joined paragraph per line;
2. `fasttext skipgram` on that file (subword n-grams, so unseen words still get vectors);
3. nothing else: `vocab.build_word_table` later cuts the vocabulary a model ships.
"""
import argparse
import gzip
import os
import shutil
import subprocess
import sys
import time

from .wordtok import words

# Biomedical/clinical, news and science text first: that is what ERlens reads. IMDb reviews
# (22M words of informal text) are left out by default; they dilute the domains that matter.
DEFAULT_SOURCES = [
    "biomed/*", "news/*", "science/*",
    "general/wikipedia-*", "general/brown-*", "general/us-speeches-*",
]


def corpus_files(corpus_dir, patterns):
    import glob
    files = []
    for pattern in patterns:
        found = sorted(glob.glob(os.path.join(corpus_dir, pattern + ".txt.gz")))
        if not found:
            raise FileNotFoundError("no corpus shard matches %s in %s" % (pattern, corpus_dir))
        files.extend(found)
    return files


def tokenise_corpus(files, out_path):
    tmp = out_path + ".partial"
    n_words = 0
    t0 = time.time()
    with open(tmp, "w", encoding="utf-8") as out:
        for path in files:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                for line in f:
                    toks = words(line)
                    if toks:
                        out.write(" ".join(toks))
                        out.write("\n")
                        n_words += len(toks)
            print("tokenised %s (%d words so far, %.0fs)" % (os.path.basename(path), n_words, time.time() - t0), flush=True)
    os.replace(tmp, out_path)
    return n_words


def train_fasttext(text_path, model_prefix, dim, epoch, threads, min_count):
    exe = shutil.which("fasttext")
    if exe is None:
        raise RuntimeError("the `fasttext` command is missing: apt-get install fasttext")
    cmd = [exe, "skipgram", "-input", text_path, "-output", model_prefix, "-dim", str(dim),
           "-epoch", str(epoch), "-thread", str(threads), "-minCount", str(min_count),
           "-minn", "3", "-maxn", "6", "-ws", "5", "-neg", "5", "-verbose", "1"]
    print("running: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=os.path.join("..", "shared", "corpus"))
    p.add_argument("--out", default=os.path.join(".work", "vectors"))
    p.add_argument("--sources", nargs="*", default=DEFAULT_SOURCES, help="glob patterns under the corpus folder")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--epoch", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-count", type=int, default=5)
    args = p.parse_args(argv)

    os.makedirs(args.out, exist_ok=True)
    text_path = os.path.join(args.out, "corpus.tok.txt")
    if not os.path.exists(text_path):
        n = tokenise_corpus(corpus_files(args.corpus, args.sources), text_path)
        print("corpus: %d words" % n, flush=True)
    prefix = os.path.join(args.out, "fasttext-d%d" % args.dim)
    if not os.path.exists(prefix + ".bin"):
        train_fasttext(text_path, prefix, args.dim, args.epoch, args.threads, args.min_count)
    print("vectors: %s.bin / %s.vec" % (prefix, prefix))


if __name__ == "__main__":
    sys.exit(main())
