"""A tiny but real model package, for tests: fastText on a few hundred sentences, an MGE head on
40 CoNLL04 sentences, exported like any shipped package. Takes a few seconds on 2 cores.

    training/erlens-train tiny --out test/fixtures/models/tiny-mge [--data ../shared/data/conll04]
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile

from .config import resolve


def make_tiny_vectors(sentences, workdir, dim=16):
    text = os.path.join(workdir, "tiny-corpus.txt")
    with open(text, "w", encoding="utf-8") as f:
        for s in sentences:
            f.write(" ".join(s.tokens) + "\n")
    prefix = os.path.join(workdir, "tiny-vectors")
    exe = shutil.which("fasttext")
    if exe is None:
        raise RuntimeError("the `fasttext` command is missing: apt-get install fasttext")
    subprocess.run([exe, "skipgram", "-input", text, "-output", prefix, "-dim", str(dim), "-epoch", "2",
                    "-minCount", "1", "-bucket", "20000", "-thread", "1", "-seed", "1", "-verbose", "0"], check=True)
    return prefix + ".bin"


def make_tiny_tokenizer(sentences, vocab_size=400, lowercase=False):
    """A WordPiece tokenizer.json learnt by Hugging Face `tokenizers` from `sentences` (BERT normaliser
    and pre-tokenizer, [PAD] [UNK] [CLS] [SEP] [MASK] first)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers, decoders
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=1,
                                        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train_from_iterator((" ".join(s.tokens) for s in sentences), trainer)
    return tok


def make_tiny_bert(sentences, folder, hidden=32, layers=2, heads=2, seed=1, max_positions=256, lowercase=False):
    """A randomly initialised BERT saved by `transformers` (config.json + model.safetensors) with a
    tokenizer.json learnt on `sentences`: the layout of a real pretrained encoder folder."""
    import torch
    from transformers import BertConfig, BertModel
    os.makedirs(folder, exist_ok=True)
    tok = make_tiny_tokenizer(sentences, lowercase=lowercase)
    tok.save(os.path.join(folder, "tokenizer.json"))
    cfg = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=hidden, num_hidden_layers=layers,
                     num_attention_heads=heads, intermediate_size=2 * hidden, max_position_embeddings=max_positions)
    torch.manual_seed(seed)
    BertModel(cfg).save_pretrained(folder)
    return folder


# Heads small enough to train in seconds, one per architecture.
TINY_HEADS = {
    "mge": {"hidden": 48, "dropout": 0.0},
    "pfn": {"hidden": 48, "dropout": 0.0},
    "table-sequence": {"hidden": 32, "layers": 1, "heads": 2, "dropout": 0.0},
    "tablert-cnn": {"table_dim": 24, "channels": [32], "dropout": 0.0},
    "stsn": {"hidden": 32, "layers": 1, "heads": 2, "tag_dim": 16, "width_dim": 16, "dropout": 0.0},
}


def tiny_config(workdir, train_path, dev_path, vectors, epochs=3, max_train_steps=None, architecture="mge", **enc):
    return {
        "name": "tiny-" + architecture, "dataset": "conll04-tiny", "architecture": architecture,
        "train": train_path, "dev": dev_path,
        # Vectors from a 300-sentence corpus barely tell words apart, so the tiny model tunes its word
        # table (the shipped models keep theirs frozen) and has no dropout: it is meant to memorise.
        "encoder": {"kind": "wordchar", "vectors": vectors, "word_dim": 16, "hidden": 48, "layers": 1,
                    "corpus_words": 200, "char_filters": 32, "char_dim": 12, "dropout": 0.0, "freeze_words": False,
                    **enc},
        "head": dict(TINY_HEADS[architecture]), "epochs": epochs, "batch_size": 8, "lr": 3e-3, "warmup": 0.05,
        "patience": 100,
        "max_train_steps": max_train_steps, "out": os.path.join(workdir, "run"),
    }


def make_tiny_package(out_dir, data_dir=None, n_train=40, n_dev=20, epochs=80, encoder="wordchar", architecture="mge"):
    from .data import load_jsonl
    from .export import export_run
    from .train import train
    data_dir = resolve(data_dir or "../shared/data/conll04")
    work = tempfile.mkdtemp(prefix="erlens-tiny-")
    try:
        train_all = load_jsonl(os.path.join(data_dir, "train.jsonl"))
        # dev = part of train: the tiny model is meant to memorise, so tests can expect real output
        for name, items in (("train", train_all[:n_train]), ("dev", train_all[:n_dev])):
            with open(os.path.join(work, name + ".jsonl"), "w", encoding="utf-8") as f:
                for s in items:
                    f.write(json.dumps(s.to_json()) + "\n")
        vectors = make_tiny_vectors(train_all[:300], work)
        cfg = tiny_config(work, os.path.join(work, "train.jsonl"), os.path.join(work, "dev.jsonl"), vectors, epochs,
                          architecture=architecture)
        package_id = "tiny-" + architecture
        if encoder == "transformer":
            bert = make_tiny_bert(train_all[:300], os.path.join(work, "tiny-bert"))
            cfg["encoder"] = {"kind": "transformer", "path": bert, "max_subwords": 256}
            cfg["encoder_lr"] = 1e-3
            package_id = "tiny-bert-" + architecture
        run = train(cfg, quiet=True)
        export_run(run, out_dir, package_id=package_id)
        return out_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train tiny")
    p.add_argument("--out", required=True)
    p.add_argument("--data")
    p.add_argument("--encoder", choices=["wordchar", "transformer"], default="wordchar")
    p.add_argument("--architecture", default="mge")
    p.add_argument("--epochs", type=int, default=80)
    args = p.parse_args(argv)
    make_tiny_package(args.out, args.data, encoder=args.encoder, architecture=args.architecture, epochs=args.epochs)
    print("tiny package written to %s" % args.out)
