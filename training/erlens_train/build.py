"""Featurizer + encoder + head from a config: the one place that knows how the pieces fit."""
import json
import os
import shutil
import subprocess

import torch

from . import architectures, gazetteer, package_vectors
from .config import resolve
from .encoders import HybridEncoder, TransformerEncoder, WordCharEncoder, hf_model_from_config, load_hf_model
from .featurize import HybridFeaturizer, WordCharFeaturizer, WordPieceFeaturizer, WordVocab
from .pretrained import encoder_folder
from .model import JointModel

ASCII_PRINTABLE = [chr(c) for c in range(33, 127)]


def word_table_from_fasttext(vectors_bin, sentences, corpus_words):
    """Vocabulary = every form of every training word + the most frequent corpus words.
    Vectors come from fastText, which also covers words it never saw through char n-grams."""
    exe = shutil.which("fasttext")
    if exe is None:
        raise RuntimeError("the `fasttext` command is missing: apt-get install fasttext")
    vec_txt = os.path.splitext(vectors_bin)[0] + ".vec"
    words, seen = [], set()

    def add(w):
        if w not in seen and w.strip() and " " not in w:
            seen.add(w)
            words.append(w)

    for s in sentences:
        for t in s.tokens:
            for form in WordVocab.forms(t):
                add(form)
    if corpus_words and os.path.isfile(vec_txt):
        with open(vec_txt, encoding="utf-8", errors="replace") as f:
            f.readline()
            for n, line in enumerate(f):
                if n >= corpus_words:
                    break
                add(line.split(" ", 1)[0])
    out = subprocess.run([exe, "print-word-vectors", vectors_bin], input="\n".join(words) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    if len(out) != len(words):
        raise RuntimeError("fasttext returned %d vectors for %d words" % (len(out), len(words)))
    vecs = torch.tensor([[float(x) for x in line.rstrip().split(" ")[1:]] for line in out])
    # scale to unit average norm so the char features and the word vectors start comparable
    vecs = vecs / vecs.norm(dim=1).mean().clamp(min=1e-6)
    return words, vecs


def word_vectors(source, sentences, corpus_words):
    """The run's words and their vectors: from fastText, or read back from a wordchar package's table."""
    if not package_vectors.is_package(source):
        return word_table_from_fasttext(source, sentences, corpus_words)
    words, vecs = package_vectors.read(source)
    known = set(words)
    missing = {t for s in sentences for t in s.tokens if not any(f in known for f in WordVocab.forms(t))}
    print(json.dumps({"event": "package_vectors", "package": source, "words": len(words),
                      "training_words_unknown": len(missing), "examples": sorted(missing)[:10]}), flush=True)
    return words, vecs


def gazetteer_dim(enc_cfg):
    return int(enc_cfg["gazetteer"]["dim"]) if enc_cfg.get("gazetteer") else 0


def wordchar_encoder(feat, enc_cfg, word_vectors):
    return WordCharEncoder(len(feat.words), len(feat.chars), enc_cfg["word_dim"], enc_cfg["char_dim"],
                           enc_cfg["char_filters"], enc_cfg["hidden"], enc_cfg["layers"], enc_cfg["dropout"],
                           enc_cfg["freeze_words"], word_vectors, gazetteer_dim(enc_cfg))


def run_gazetteer(enc_cfg, run_dir, build_new):
    """The run's gazetteer: built from its source on the first run and kept in the run folder, so that a
    resumed run, the export and `eval` read exactly the entries the model was trained with."""
    if not enc_cfg.get("gazetteer"):
        return None
    path = os.path.join(run_dir, gazetteer.FILE)
    if build_new and not os.path.isfile(path):
        built = gazetteer.build(enc_cfg["gazetteer"])
        with open(path, "w", encoding="utf-8") as f:
            f.write(built.file_text())
    return gazetteer.Gazetteer.from_file(path)


def word_table(enc_cfg, train_sentences, run_dir):
    """The wordchar featurizer and its fastText rows (row 0 padding, row 1 unknown), saved in the run."""
    table_path = os.path.join(run_dir, "word_table.pt")
    if os.path.isfile(table_path):  # resume: the exact table of the first run
        saved = torch.load(table_path)
        words, vecs, chars = saved["words"], saved["vectors"], saved["chars"]
    else:
        words, vecs = word_vectors(resolve(enc_cfg["vectors"]), train_sentences, enc_cfg["corpus_words"])
        chars = sorted({c for s in train_sentences for t in s.tokens for c in t} | set(ASCII_PRINTABLE))
        torch.save({"words": words, "vectors": vecs, "chars": chars}, table_path)
    if vecs.size(1) != enc_cfg["word_dim"]:
        raise ValueError("vectors have %d dimensions but encoder.word_dim is %d" % (vecs.size(1), enc_cfg["word_dim"]))
    feat = WordCharFeaturizer(words, chars, enc_cfg["max_chars"], run_gazetteer(enc_cfg, run_dir, build_new=True))
    full = torch.zeros(len(feat.words), vecs.size(1))
    full[2:] = vecs
    return feat, full


def wordpiece_featurizer(folder, enc_cfg, window):
    """The encoder's own tokenizer.json (or vocab.txt, as BERT's tokenizer), read by `tokenizers`."""
    tj = os.path.join(folder, "tokenizer.json")
    if os.path.isfile(tj):
        return WordPieceFeaturizer.from_file(tj, window, windowed=True)
    vocab_txt = os.path.join(folder, "vocab.txt")
    if not os.path.isfile(vocab_txt):
        raise FileNotFoundError("encoder folder %s has neither tokenizer.json nor vocab.txt" % folder)
    with open(vocab_txt, encoding="utf-8") as f:
        vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
    return WordPieceFeaturizer.from_vocab(vocab, enc_cfg.get("lowercase", False), window, windowed=True)


def transformer_parts(enc_cfg, folder, hf_model):
    window = min(enc_cfg["max_subwords"], hf_model.config.max_position_embeddings)
    feat = wordpiece_featurizer(folder, enc_cfg, window)
    return feat, TransformerEncoder(hf_model, enc_cfg["dropout"], enc_cfg["trainable_layers"], window)


def hybrid_encoder(transformer, wc_feat, enc_cfg, word_vectors):
    return HybridEncoder(transformer, len(wc_feat.words), len(wc_feat.chars), enc_cfg["word_dim"], enc_cfg["char_dim"],
                         enc_cfg["char_filters"], enc_cfg["hidden"], enc_cfg["layers"], enc_cfg["wordchar_dropout"],
                         enc_cfg["freeze_words"], word_vectors, gazetteer_dim(enc_cfg))


def save_encoder_files(feat, encoder, folder):
    """What rebuild_from_run needs besides best.pt: the encoder's config.json and tokenizer.json."""
    os.makedirs(folder, exist_ok=True)
    tr = encoder.transformer if hasattr(encoder, "transformer") else encoder
    tr.body.config.save_pretrained(folder)
    (feat.wordpiece if feat.kind == "hybrid" else feat).save(os.path.join(folder, "tokenizer.json"))


def build_featurizer_and_encoder(cfg, train_sentences, run_dir):
    enc_cfg = cfg["encoder"]
    if enc_cfg["kind"] == "wordchar":
        feat, full = word_table(enc_cfg, train_sentences, run_dir)
        return feat, wordchar_encoder(feat, enc_cfg, full)
    folder = encoder_folder(enc_cfg)
    feat, encoder = transformer_parts(enc_cfg, folder, load_hf_model(folder))
    if enc_cfg["kind"] == "hybrid":
        wc_feat, full = word_table(enc_cfg, train_sentences, run_dir)
        return HybridFeaturizer(feat, wc_feat), hybrid_encoder(encoder, wc_feat, enc_cfg, full)
    return feat, encoder


def build_model(cfg, schema, encoder):
    arch = architectures.get(cfg["architecture"])
    head = arch.Head(encoder.out_dim, schema, **cfg["head"])
    return JointModel(encoder, head, arch, cfg["encoder"].get("pooling"))


def rebuild_from_run(run_dir):
    """Model + featurizer exactly as saved by training (for export and evaluation)."""
    from .data import Schema
    with open(os.path.join(run_dir, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    with open(os.path.join(run_dir, "schema.json"), encoding="utf-8") as f:
        schema = Schema.from_json(json.load(f))
    state = torch.load(os.path.join(run_dir, "best.pt"), map_location="cpu")
    enc_cfg = cfg["encoder"]
    if enc_cfg["kind"] in ("wordchar", "hybrid"):
        saved = torch.load(os.path.join(run_dir, "word_table.pt"))
        wc_feat = WordCharFeaturizer(saved["words"], saved["chars"], enc_cfg["max_chars"],
                                     run_gazetteer(enc_cfg, run_dir, build_new=False))
    if enc_cfg["kind"] == "wordchar":
        feat, encoder = wc_feat, wordchar_encoder(wc_feat, enc_cfg, None)  # weights come from best.pt
    else:
        folder = os.path.join(run_dir, "encoder")
        feat, encoder = transformer_parts(enc_cfg, folder, hf_model_from_config(folder))
        if enc_cfg["kind"] == "hybrid":
            feat, encoder = HybridFeaturizer(feat, wc_feat), hybrid_encoder(encoder, wc_feat, enc_cfg, None)
    model = build_model(cfg, schema, encoder)
    model.load_state_dict(state["model"])
    model.eval()
    return cfg, schema, feat, model
