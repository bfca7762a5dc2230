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
                targets=None):
        W = self.encoder(input_ids, attention_mask, word_first_subword, word_mask, char_ids, word_ids,
                         pooling=self.pooling)
        return self.head(W, word_mask, targets)


class ExportWrapper(nn.Module):
    """What the ONNX graph computes: probabilities, named outputs, no Python-side decoding."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids=None, word_ids=None):
        out = self.model(input_ids, attention_mask, word_first_subword, word_mask, char_ids, word_ids)
        return tuple(self.model.arch.probabilities(out))
