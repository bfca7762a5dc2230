"""TablERT-CNN (Ma, Hiraoka & Okazaki, 2022), models.md §2.

The word-pair table [w_i; w_j] is treated as an image: 2-D convolutions label every cell. The last
convolution is the relation classifier (none / r-forward / r-backward per upper-triangle cell); entity
BILOU tags are read off the diagonal.

Deviations, both for a 2-core CPU and a small encoder trained from scratch (recorded in model.json):
- words are projected to `table_dim` channels before the table is built (the paper concatenates the
  full encoder vectors: 2 x 400 channels here, and the first 3x3 convolution would cost 3x more);
- `ner_input` "features" (default here): the tag classifier reads the diagonal of the last hidden
  feature map; "logits" is the paper's coupling (the K relation logits of the diagonal cell).
Padded rows and columns are zeroed after every convolution, so a sentence's cells never depend on how
much padding its batch-mates add ("same" zero padding at the real border).
"""
import torch
import torch.nn as nn

from .families import TagTable
from .tag_targets import loss, probabilities  # noqa: F401 (the tag-table interface)
from .tag_targets import make_tag_table_targets, relation_labels, tag_names

FAMILY = TagTable("BILOU", "last-word")
POOLING = "max"
OUTPUT_NAMES = ["tag_probs", "table_probs"]
OUTPUT_AXES = {"tag_probs": {0: "batch", 1: "words"}, "table_probs": {0: "batch", 1: "words", 2: "words"}}


class Head(nn.Module):
    def __init__(self, encoder_dim, schema, table_dim=128, channels=(256,), kernel=3, dropout=0.3,
                 ner_input="features"):
        super().__init__()
        if ner_input not in ("features", "logits"):
            raise ValueError("tablert-cnn: ner_input must be 'features' or 'logits'")
        self.ner_input = ner_input
        self.proj = nn.Linear(encoder_dim, table_dim)
        self.dropout = nn.Dropout(dropout)
        self.channel_dropout = nn.Dropout2d(dropout)
        n_labels = len(relation_labels(schema))
        sizes = [2 * table_dim] + list(channels)
        self.convs = nn.ModuleList(nn.Conv2d(a, b, kernel, padding=kernel // 2) for a, b in zip(sizes, sizes[1:]))
        self.classifier = nn.Conv2d(sizes[-1], n_labels, kernel, padding=kernel // 2)
        self.tags = nn.Linear(sizes[-1] if ner_input == "features" else n_labels, len(tag_names(schema, "BILOU")))

    def forward(self, W, word_mask, targets=None):
        m = word_mask.float()
        mask = (m.unsqueeze(2) * m.unsqueeze(1)).unsqueeze(1)          # [B,1,N,N]
        x = self.dropout(self.proj(W)).transpose(1, 2)                  # [B,c,N]
        N = x.size(2)
        table = torch.cat([x.unsqueeze(3).expand(-1, -1, N, N), x.unsqueeze(2).expand(-1, -1, N, N)], 1) * mask
        for conv in self.convs:
            table = self.channel_dropout(torch.relu(conv(table)) * mask)
        logits = self.classifier(table) * mask                          # [B,K,N,N]
        source = table if self.ner_input == "features" else logits
        cells = torch.arange(N, device=W.device) * (N + 1)             # flat positions of (i, i)
        diagonal = source.flatten(2).index_select(2, cells).transpose(1, 2)  # [B,N,C]
        return {"tags": self.tags(diagonal), "table": logits.permute(0, 2, 3, 1)}


def make_targets(sentences, schema, N):
    return make_tag_table_targets(sentences, schema, N, "BILOU", full_grid=False)
