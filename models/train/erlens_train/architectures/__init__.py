"""Joint NER/RE heads. Each architecture module exposes:

    Head(encoder_dim, schema, **options)   an nn.Module: W [B,N,d], word_mask -> raw outputs (logits)
    make_targets(sentences, schema, N)     gold tensors for a batch
    loss(outputs, targets, word_mask)      a scalar
    probabilities(outputs)                 what the ONNX graph outputs (names in OUTPUT_NAMES)
    decoder                                the decoder family named in model.json

The encoder, data loading, training loop, evaluation and export are shared.
"""
from . import mge

ARCHITECTURES = {"mge": mge}


def get(name):
    if name not in ARCHITECTURES:
        raise ValueError("unknown architecture %r (known: %s)" % (name, ", ".join(sorted(ARCHITECTURES))))
    return ARCHITECTURES[name]
