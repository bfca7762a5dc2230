"""Word vectors read back from a shipped package (`encoder.vectors` naming a package folder).

A wordchar or hybrid package's word table (also as an ensemble's member, and after the package rewrites) is
the fastText vectors it was trained with, frozen (`freeze_words`), scaled to unit mean norm and stored in its
ONNX graph as int8 rows with one scale each (or fp16). Reading them back
gives a new run the same vectors without the hour `erlens-train vectors` takes on two cores: worth it for a
candidate trained on the same sources as the package (its vocabulary holds every form of their words and the
corpus' most frequent ones). Words the package's vocabulary lacks are unknown to the new run; `build` counts them.
"""
import json
import os
from typing import Callable, NamedTuple

import numpy as np
import torch

from .onnx_weights import FP16_SUFFIX, INT8_SUFFIX

WORDS_FILE = "vocab.words.txt"
EMBEDDING = "model.encoder.word_emb.weight"  # the wordchar encoder's table, as export.py names it
WORD_TABLE_KINDS = ("wordchar", "hybrid")  # a hybrid encoder keeps the wordchar table beside its transformer


def is_package(path):
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "model.json"))


def check(path):
    """Why `path` cannot give word vectors, or None."""
    return _inspect(path)[1]


def _inspect(path):
    """(model.json, None) of a package that can give word vectors, or (None, why not)."""
    meta_path = os.path.join(path, "model.json")
    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as err:
        return None, "%s is not readable JSON (%s)" % (meta_path, err)
    encoder = meta.get("encoder") or {}
    if encoder.get("kind") not in WORD_TABLE_KINDS:
        return None, "%s is a %r package; only %s packages carry a word table" % (
            path, encoder.get("kind"), " and ".join(WORD_TABLE_KINDS))
    for name in (WORDS_FILE, _graph_file(meta)):
        if not os.path.isfile(os.path.join(path, name)):
            return None, "%s has no %s" % (path, name)
    return meta, None


def _graph_file(meta):
    return (meta.get("graph") or {}).get("file", "model.onnx")


def read(path):
    """(words, vectors [len(words), dim] float32) of a package with a word table; rows 0 and 1 (padding,
    unknown) dropped."""
    import onnx

    meta, problem = _inspect(path)
    if problem:
        raise ValueError(problem)
    graph_file = _graph_file(meta)
    with open(os.path.join(path, WORDS_FILE), encoding="utf-8") as f:
        words = f.read().split("\n")
    if words and words[-1] == "":
        words.pop()
    rows = len(words) + 2
    inits = {i.name: i for i in onnx.load(os.path.join(path, graph_file)).graph.initializer}
    stored = _stored_tensors(inits)
    # an ensemble's graph holds its members' tables under a prefix ("m0/...", stored once when identical)
    names = sorted(n for n in stored if n == EMBEDDING or n.endswith("/" + EMBEDDING))
    if not names:
        raise ValueError("%s: the graph has no %s" % (path, EMBEDDING))
    table = stored[names[0]].load()
    if table.shape[0] != rows:
        raise ValueError("%s: %s has %d rows for %d words" % (path, EMBEDDING, table.shape[0], len(words)))
    if table.dtype == np.int8:
        # Int8Embedding: one scale per row, the only other [rows, 1] tensor of the same member
        prefix = names[0][: -len(EMBEDDING)]
        scales = [t.load() for n, t in stored.items() if n.startswith(prefix) and "/" not in n[len(prefix):]
                  and t.dims == (rows, 1) and not t.int8_codes]
        if len(scales) != 1:
            raise ValueError("%s: cannot tell the int8 word table's scales (%d candidates)" % (path, len(scales)))
        table = table.astype(np.float32) * scales[0]
    return words, torch.from_numpy(table[2:].astype(np.float32))


class _Stored(NamedTuple):
    dims: tuple
    int8_codes: bool  # int8 as stored at its own name (Int8Embedding's table), scaled by the graph later
    load: Callable[[], np.ndarray]


def _stored_tensors(inits):
    """{tensor name: _Stored} over the package rewrites' storages, each `load` giving the tensor the graph
    computes: fp32 or int8 as stored, `half-weights`' NAME + FP16_SUFFIX (cast back), `int8-weights`'
    NAME + INT8_SUFFIX codes times their per-row NAME + INT8_SUFFIX + "_scale" (Cast·Mul in the graph)."""
    from onnx import TensorProto, numpy_helper

    def as_float(init):
        return numpy_helper.to_array(init).astype(np.float32)

    out = {}
    for name, init in inits.items():
        if name.endswith(INT8_SUFFIX + "_scale"):
            continue
        if name.endswith(INT8_SUFFIX) and name + "_scale" in inits:
            # codes [rows, ..., d] times their scale [rows, ..., 1], broadcast as the graph's Mul does
            base = name[: -len(INT8_SUFFIX)]
            load = (lambda codes=init, scale=inits[name + "_scale"]: as_float(codes) * as_float(scale))
        elif name.endswith(FP16_SUFFIX):
            base, load = name[: -len(FP16_SUFFIX)], (lambda init=init: as_float(init))
        else:
            base, load = name, (lambda init=init: numpy_helper.to_array(init))
        out[base] = _Stored(tuple(init.dims), base == name and init.data_type == TensorProto.INT8, load)
    return out
