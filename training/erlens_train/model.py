"""Encoder + architecture head; the forward pass takes the ONNX input contract as tensors."""
import torch.nn as nn


class JointModel(nn.Module):
    def __init__(self, encoder, head, arch, pooling=None):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.arch = arch
        self.pooling = pooling or arch.POOLING  # encoder.pooling overrides the architecture's default

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids=None, word_ids=None,
                gazetteer_ids=None, targets=None):
        extra = {} if gazetteer_ids is None else {"gazetteer_ids": gazetteer_ids}
        W = self.encoder(input_ids, attention_mask, word_first_subword, word_mask, char_ids, word_ids,
                         pooling=self.pooling, **extra)
        return self.head(W, word_mask, targets)


class ExportWrapper(nn.Module):
    """What the ONNX graph computes: probabilities, named outputs, no Python-side decoding. Inputs come
    positionally in `names` order (export.input_names), which is also the graph's input order."""

    def __init__(self, model, names):
        super().__init__()
        self.model = model
        self.names = list(names)

    def forward(self, *inputs):
        out = self.model(**dict(zip(self.names, inputs)))
        return tuple(self.model.arch.probabilities(out))
