"""Joint NER/RE heads. Each architecture module exposes:

    Head(encoder_dim, schema, **options)   an nn.Module: (W [B,N,d], word_mask, targets=None) -> raw outputs;
                                           targets are given while training (STSN's teacher-forced tags)
    make_targets(sentences, schema, N)     gold tensors for a batch
    loss(outputs, targets, word_mask, head)  a scalar
    probabilities(outputs)                 what the main ONNX graph outputs (names in OUTPUT_NAMES,
                                           word axes in OUTPUT_AXES when not [B,N,N,.])
    POOLING                                subword -> word pooling (models.md §0.2)
    FAMILY                                 the decoder family (architectures/families.py)
    STAGES (optional)                      further graphs, exported beside model.onnx (STSN's "pairs")

The encoder, data loading, training loop, evaluation and export are shared.
"""
from . import mge, pfn, stsn, table_sequence, tablert_cnn

ARCHITECTURES = {"mge": mge, "pfn": pfn, "table-sequence": table_sequence, "tablert-cnn": tablert_cnn, "stsn": stsn}


def get(name):
    if name not in ARCHITECTURES:
        raise ValueError("unknown architecture %r (known: %s)" % (name, ", ".join(sorted(ARCHITECTURES))))
    return ARCHITECTURES[name]
