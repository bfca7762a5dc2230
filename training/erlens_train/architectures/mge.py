"""Multi-Gate Encoder (Xiong et al., CCL 2022), models.md §5.

Position-wise gates split the pooled word vectors into task features and interaction features;
each task module sees its own task features plus the other task's interaction features. The
tables are PFN's: a sigmoid span table per entity type and a sigmoid (subject-first-word,
object-first-word) table per relation type.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .families import SpanTable
from .table_targets import loss, make_targets, probabilities  # noqa: F401 (the span-table interface)

FAMILY = SpanTable
POOLING = "first"
OUTPUT_NAMES = ["entity_probs", "relation_probs"]
PRIOR_BIAS = -5.0


class PairTable(nn.Module):
    """z[i,j] = ELU(LayerNorm(Linear(2k -> h)([x_i; x_j]))) -> Linear(h -> n_labels), computed as a
    broadcast sum of a row and a column projection so the [B,N,N,2k] concat never exists.

    Dropout acts on the word features before the projections, not on the [B,N,N,h] table: on CPU,
    drawing a dropout mask for every table cell cost more than the rest of the forward pass."""

    def __init__(self, in_dim, hidden, n_labels, dropout):
        super().__init__()
        self.row = nn.Linear(in_dim, hidden)
        self.col = nn.Linear(in_dim, hidden, bias=False)
        self.norm = nn.LayerNorm(hidden)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_labels)
        # Start every cell at p ~ 0.007, about the share of positive cells. From p = 0.5 the first
        # steps push thousands of negative cells down at once and, with an encoder trained from
        # scratch, collapse the features so positives never recover (measured: a table that could
        # not fit 8 sentences in 200 steps fits them in 40 with this prior).
        nn.init.constant_(self.out.bias, PRIOR_BIAS)

    def forward(self, x, extra=None):
        """extra [B,hidden]: a per-sentence term added to every cell (PFN's global vector)."""
        x = self.dropout(x)
        z = self.row(x).unsqueeze(2) + self.col(x).unsqueeze(1)
        if extra is not None:
            z = z + extra[:, None, None, :]
        return self.out(F.elu(self.norm(z)))


class Head(nn.Module):
    def __init__(self, encoder_dim, schema, hidden=300, dropout=0.1):
        super().__init__()
        self.hidden = hidden
        self.dropout = nn.Dropout(dropout)
        # candidates Ce, Cr and gates Ge_task, Gr_task, Ge_int, Gr_int from one projection
        self.proj = nn.Linear(encoder_dim, 6 * hidden)
        self.ent_table = PairTable(2 * hidden, hidden, len(schema.entity_types), dropout)
        self.rel_table = PairTable(2 * hidden, hidden, max(1, len(schema.relation_types)), dropout)

    def forward(self, W, word_mask, targets=None):
        ce, cr, ge_t, gr_t, ge_i, gr_i = self.proj(self.dropout(W)).split(self.hidden, dim=-1)
        ce, cr = torch.tanh(ce), torch.tanh(cr)
        ge_t, gr_t, ge_i, gr_i = (torch.sigmoid(g) for g in (ge_t, gr_t, ge_i, gr_i))
        h_ner = torch.cat([ge_t * ce, gr_i * cr], dim=-1)
        h_re = torch.cat([gr_t * cr, ge_i * ce], dim=-1)
        return {"ent": self.ent_table(h_ner), "rel": self.rel_table(h_re)}
