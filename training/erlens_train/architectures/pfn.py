"""Partition Filter Network (Yan et al., EMNLP 2021), models.md §4.

One left-to-right recurrent cell whose two cumulative-softmax gates split each state into an
entity-only, a relation-only and a shared partition. Entity features see entity + shared, relation
features see relation + shared; a max-pooled global vector per task stands in for the missing
backward direction. Tables and decoding are the sigmoid span tables shared with MGE.

The recurrence is a TorchScript loop, so the ONNX graph holds a `Loop` over the words rather than an
unrolled copy per sentence length.
"""
from typing import List, Tuple

import torch
import torch.nn as nn

from .families import SpanTable
from .mge import PairTable
from .table_targets import loss, make_targets, probabilities  # noqa: F401 (the span-table interface)

FAMILY = SpanTable
POOLING = "first"
OUTPUT_NAMES = ["entity_probs", "relation_probs"]


@torch.jit.script
def partition_filter_scan(xw: torch.Tensor, w_h: torch.Tensor, w_c: torch.Tensor, b_c: torch.Tensor
                          ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """xw [B,N,5h]: the input's share of the gate pre-activations (computed for all words at once).
    Returns he, hr, hs [B,N,h]. Padding sits after the real words, so it never reaches them."""
    B, N = xw.size(0), xw.size(1)
    h = w_h.size(0)
    state = torch.zeros(B, h, dtype=xw.dtype, device=xw.device)
    cell = torch.zeros(B, h, dtype=xw.dtype, device=xw.device)
    he_out: List[torch.Tensor] = []
    hr_out: List[torch.Tensor] = []
    hs_out: List[torch.Tensor] = []
    for t in range(N):
        g = xw[:, t] + torch.matmul(state, w_h)
        c_hat, a1, a2, a3, a4 = g.chunk(5, dim=-1)
        cand = torch.tanh(c_hat)
        e_old = torch.cumsum(torch.softmax(a1, dim=-1), dim=-1)
        r_old = 1.0 - torch.cumsum(torch.softmax(a2, dim=-1), dim=-1)
        e_new = torch.cumsum(torch.softmax(a3, dim=-1), dim=-1)
        r_new = 1.0 - torch.cumsum(torch.softmax(a4, dim=-1), dim=-1)
        s_old, s_new = e_old * r_old, e_new * r_new
        rho_s = s_old * cell + s_new * cand
        rho_e = (e_old - s_old) * cell + (e_new - s_new) * cand
        rho_r = (r_old - s_old) * cell + (r_new - s_new) * cand
        mu_e, mu_r = rho_e + rho_s, rho_r + rho_s
        he_out.append(torch.tanh(mu_e))
        hr_out.append(torch.tanh(mu_r))
        hs_out.append(torch.tanh(rho_s))
        cell = torch.matmul(torch.cat([mu_e, mu_r, rho_s], dim=-1), w_c) + b_c
        state = torch.tanh(cell)
    return torch.stack(he_out, 1), torch.stack(hr_out, 1), torch.stack(hs_out, 1)


class Head(nn.Module):
    def __init__(self, encoder_dim, schema, hidden=300, dropout=0.1):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.input_gates = nn.Linear(encoder_dim, 5 * hidden)
        self.state_gates = nn.Parameter(torch.empty(hidden, 5 * hidden))
        nn.init.orthogonal_(self.state_gates)
        self.transform = nn.Linear(3 * hidden, hidden)
        self.ent_global = nn.Linear(2 * hidden, hidden)
        self.rel_global = nn.Linear(2 * hidden, hidden)
        self.ent_table = PairTable(hidden, hidden, len(schema.entity_types), dropout)
        self.rel_table = PairTable(hidden, hidden, max(1, len(schema.relation_types)), dropout)
        # the global vector enters the table's first layer as one more projection
        self.ent_global_proj = nn.Linear(hidden, hidden, bias=False)
        self.rel_global_proj = nn.Linear(hidden, hidden, bias=False)

    @staticmethod
    def masked_max(x, word_mask):
        return x.masked_fill(~word_mask.bool().unsqueeze(-1), -1e4).max(dim=1).values

    def forward(self, W, word_mask, targets=None):
        xw = self.input_gates(self.dropout(W))
        he, hr, hs = partition_filter_scan(xw, self.state_gates, self.transform.weight.t(), self.transform.bias)
        ge = self.masked_max(torch.tanh(self.ent_global(torch.cat([he, hs], -1))), word_mask)
        gr = self.masked_max(torch.tanh(self.rel_global(torch.cat([hr, hs], -1))), word_mask)
        return {"ent": self.ent_table(he, self.ent_global_proj(ge)),
                "rel": self.rel_table(hr, self.rel_global_proj(gr))}
