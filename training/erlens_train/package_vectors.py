"""Word vectors read back from a shipped wordchar package (`encoder.vectors` naming a package folder).

A wordchar package's word table is the fastText vectors it was trained with, frozen (`freeze_words`), scaled
to unit mean norm and stored in its ONNX graph as int8 rows with one scale each (or fp16). Reading them back
gives a new run the same vectors without the hour `erlens-train vectors` takes on two cores: worth it for a
candidate trained on the same sources as the package (its vocabulary holds every form of their words and the
corpus' most frequent ones). Words the package's vocabulary lacks are unknown to the new run; `build` counts them.
"""
import json
import os

import numpy as np
import torch

from .onnx_weights import FP16_SUFFIX

WORDS_FILE = "vocab.words.txt"
EMBEDDING = "model.encoder.word_emb.weight"  # the wordchar encoder's table, as export.py names it


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
    if encoder.get("kind") != "wordchar":
        return None, "%s is a %r package; only wordchar packages carry a word table" % (path, encoder.get("kind"))
    for name in (WORDS_FILE, _graph_file(meta)):
        if not os.path.isfile(os.path.join(path, name)):
            return None, "%s has no %s" % (path, name)
    return meta, None


def _graph_file(meta):
    return (meta.get("graph") or {}).get("file", "model.onnx")


def read(path):
    """(words, vectors [len(words), dim] float32) of a wordchar package; rows 0 and 1 (padding, unknown) dropped."""
    import onnx
    from onnx import numpy_helper

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
    # an ensemble's graph holds its members' tables under a prefix ("m0/...", stored once when identical)
    # and `half-weights` stores fp32 tables and scales as fp16 under NAME + FP16_SUFFIX (cast back in the graph)
    names = [n for n in inits if n.removesuffix(FP16_SUFFIX) == EMBEDDING
             or n.removesuffix(FP16_SUFFIX).endswith("/" + EMBEDDING)]
    if not names:
        raise ValueError("%s: the graph has no %s" % (path, EMBEDDING))
    table = numpy_helper.to_array(inits[sorted(names)[0]])
    if table.shape[0] != rows:
        raise ValueError("%s: %s has %d rows for %d words" % (path, EMBEDDING, table.shape[0], len(words)))
    if table.dtype == np.int8:
        # Int8Embedding: one fp32 scale per row, stored as the only other [rows, 1] float initializer
        scales = [numpy_helper.to_array(i).astype(np.float32) for i in inits.values()
                  if tuple(i.dims) == (rows, 1) and i.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16)]
        if len(scales) != 1:
            raise ValueError("%s: cannot tell the int8 word table's scales (%d candidates)" % (path, len(scales)))
        table = table.astype(np.float32) * scales[0]
    return words, torch.from_numpy(table[2:].astype(np.float32))
