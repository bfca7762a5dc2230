"""Table-Sequence encoders (Wang & Lu, EMNLP 2020), models.md §1.

A word sequence (for NER) and a word-pair table (for RE) refine each other for L rounds: the table is
rebuilt from the sequence and smoothed by a 2-D GRU; the sequence is updated by attention whose
weights are read off the table.

The 2-D GRU runs as a scan over anti-diagonals: the table is skewed so that anti-diagonal k becomes
column k, and step k updates every row at once from step k-1 (left neighbour: same row; upper
neighbour: the row above). Both sweeps (top-left -> bottom-right, and the reverse on the flipped table)
run in the same scan, stacked on the batch axis with their own weights. The scan is a TorchScript
loop, exported as one ONNX `Loop`: no Python loop and no unrolling at inference.
"""
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F

from .families import TagTable
from .tag_targets import loss, probabilities  # noqa: F401 (the tag-table interface)
from .tag_targets import make_tag_table_targets, relation_labels, tag_names

FAMILY = TagTable("BIO", "block")
POOLING = "mean"
OUTPUT_NAMES = ["tag_probs", "table_probs"]
OUTPUT_AXES = {"tag_probs": {0: "batch", 1: "words"}, "table_probs": {0: "batch", 1: "words", 2: "words"}}


def reverse_words(x, dims):
    """Flip the word axes `dims` (index_select exports as a plain Gather)."""
    for d in dims:
        # (n - 1) - arange(n): a descending arange exports as an empty Range when n is traced
        n = x.size(d)
        x = x.index_select(d, (n - 1) - torch.arange(n, device=x.device))
    return x


def skew(x):
    """[B,N,N,C] -> [B,N,2N-1,C] with out[:, i, k] = x[:, i, k - i] (zeros outside the table)."""
    B, N, _, C = x.shape
    padded = torch.cat([x, torch.zeros_like(x)], dim=2)  # columns N..2N-1 are zeros
    i = torch.arange(N, device=x.device).unsqueeze(1)
    k = torch.arange(2 * N - 1, device=x.device).unsqueeze(0)
    src = torch.remainder(k - i + 2 * N, 2 * N)  # k - i < 0 or >= N lands in the zero columns
    return padded.gather(2, src[None, :, :, None].expand(B, N, 2 * N - 1, C))


def unskew(x):
    """[B,N,2N-1,C] -> [B,N,N,C], the inverse of skew."""
    B, N, _, C = x.shape
    src = torch.arange(N, device=x.device).unsqueeze(1) + torch.arange(N, device=x.device).unsqueeze(0)
    return x.gather(2, src[None, :, :, None].expand(B, N, N, C))


def gru_2d_step(x: torch.Tensor, p: torch.Tensor, mask: torch.Tensor, state: torch.Tensor, w_nb: torch.Tensor
                ) -> torch.Tensor:
    """One anti-diagonal of both sweeps.

    x [G,B,N,7H]: computed for all cells before the scan: the gate pre-activations from the cell input
       and the previous round's state (r, z, three mixing weights: 5H), then the candidate's input part
       (H) and its previous-state part (H), which r gates;
    p [G,B,N,H]: the previous round's state of the same cells; mask [G,B,N,1];
    state [G,B,N,H]: the previous anti-diagonal (row i holds the left neighbour of row i's new cell,
       row i-1 its upper neighbour); w_nb [G,2H,6H]: weights on (upper, left), one matrix per sweep."""
    G, B, N, H = state.size(0), state.size(1), state.size(2), state.size(3)
    up = torch.cat([torch.zeros(G, B, 1, H, dtype=state.dtype, device=state.device), state[:, :, :-1]], dim=2)
    left = state
    nb = torch.matmul(torch.cat([up, left], dim=-1).reshape(G, B * N, 2 * H), w_nb).reshape(G, B, N, 6 * H)
    gx = x[..., : 5 * H] + nb[..., : 5 * H]
    r = torch.sigmoid(gx[..., :H])
    z = torch.sigmoid(gx[..., H: 2 * H])
    lam = torch.softmax(gx[..., 2 * H: 5 * H].reshape(G, B, N, 3, H), dim=3)
    # the candidate's neighbour and previous-state parts are gated by r, its input part is not (GRU form)
    n = torch.tanh(x[..., 5 * H: 6 * H] + r * (x[..., 6 * H:] + nb[..., 5 * H:]))
    m = lam[:, :, :, 0] * p + lam[:, :, :, 1] * up + lam[:, :, :, 2] * left
    return (z * n + (1.0 - z) * m) * mask


def gru_2d_scan_eager(pre, prev, mask, w_nb):
    """Both sweeps over skewed tables: pre [G,B,N,K2,7H], prev [G,B,N,K2,H], mask [G,B,N,K2,1] ->
    states [G,B,N,K2,H]. unbind, not pre[:, :, :, k]: indexing a column in a loop makes autograd
    allocate a gradient of the whole table per step (measured 41 s per CoNLL04 batch)."""
    G, B, N, _, H = prev.shape
    state = torch.zeros(G, B, N, H, dtype=pre.dtype, device=pre.device)
    outs = []
    for x, p, m in zip(pre.unbind(3), prev.unbind(3), mask.unbind(3)):
        state = gru_2d_step(x, p, m, state, w_nb)
        outs.append(state)
    return torch.stack(outs, dim=3)


@torch.jit.script
def gru_2d_scan_export(pre: torch.Tensor, prev: torch.Tensor, mask: torch.Tensor, w_nb: torch.Tensor) -> torch.Tensor:
    """The same scan as a TorchScript loop: ONNX export turns it into one Loop over anti-diagonals."""
    G, B, N, K2, H = prev.size(0), prev.size(1), prev.size(2), prev.size(3), prev.size(4)
    state = torch.zeros(G, B, N, H, dtype=pre.dtype, device=pre.device)
    outs: List[torch.Tensor] = []
    for k in range(K2):
        state = gru_2d_step(pre[:, :, :, k], prev[:, :, :, k], mask[:, :, :, k], state, w_nb)
        outs.append(state)
    return torch.stack(outs, dim=3)


def gru_2d_scan(pre, prev, mask, w_nb):
    if torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
        return gru_2d_scan_export(pre, prev, mask, w_nb)
    return gru_2d_scan_eager(pre, prev, mask, w_nb)


class TableGRU(nn.Module):
    """The two-sweep 2-D GRU of one round (state H/2 per sweep)."""

    def __init__(self, hidden):
        super().__init__()
        self.h = hidden // 2
        h = self.h
        self.w_x = nn.Linear(hidden, 2 * 6 * h)                      # cell input -> both sweeps' gates
        self.w_prev = nn.Parameter(torch.empty(2, h, 6 * h))         # previous round's state
        self.w_nb = nn.Parameter(torch.empty(2, 2 * h, 6 * h))       # (upper, left) neighbours
        for w in (self.w_prev, self.w_nb):
            for g in range(2):
                nn.init.xavier_uniform_(w[g])
        self.norm = nn.LayerNorm(2 * h)

    def forward(self, X, T_prev, pair_mask):
        B, N = X.size(0), X.size(1)
        h = self.h
        gx = self.w_x(X)                                             # [B,N,N,12h]
        # sweep c = sweep a on the table flipped along both word axes
        gx = torch.stack([gx[..., : 6 * h], reverse_words(gx[..., 6 * h:], (1, 2))], 0)
        prev = torch.stack([T_prev[..., :h], reverse_words(T_prev[..., h:], (1, 2))], 0)  # [2,B,N,N,h]
        gp = torch.matmul(prev.reshape(2, B * N * N, h), self.w_prev).reshape(2, B, N, N, 6 * h)
        mask = pair_mask.unsqueeze(-1)
        mask = torch.stack([mask, reverse_words(mask, (1, 2))], 0)

        def sk(t):
            return skew(t.reshape(2 * B, N, N, t.size(-1))).reshape(2, B, N, 2 * N - 1, t.size(-1))

        pre = torch.cat([gx[..., : 5 * h] + gp[..., : 5 * h], gx[..., 5 * h:], gp[..., 5 * h:]], dim=-1)
        states = gru_2d_scan(sk(pre), sk(prev), sk(mask), self.w_nb)
        states = unskew(states.reshape(2 * B, N, 2 * N - 1, h)).reshape(2, B, N, N, h)
        return self.norm(torch.cat([states[0], reverse_words(states[1], (1, 2))], dim=-1)) * mask[0]


class Round(nn.Module):
    def __init__(self, hidden, heads, dropout):
        super().__init__()
        self.heads = heads
        self.row = nn.Linear(hidden, hidden)
        self.col = nn.Linear(hidden, hidden, bias=False)
        self.gru = TableGRU(hidden)
        self.att_logits = nn.Linear(hidden, heads, bias=False)
        self.values = nn.Linear(hidden, hidden)
        self.att_out = nn.Linear(hidden, hidden)
        self.ffn = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.ReLU(), nn.Linear(4 * hidden, hidden))
        self.norm1, self.norm2 = nn.LayerNorm(hidden), nn.LayerNorm(hidden)
        self.dropout = nn.Dropout(dropout)

    def forward(self, S, T_prev, word_mask, pair_mask):
        B, N, H = S.shape
        X = F.relu(self.row(S).unsqueeze(2) + self.col(S).unsqueeze(1))  # pair input, no [B,N,N,2H] concat
        T = self.gru(X, T_prev, pair_mask)
        logits = self.att_logits(T).permute(0, 3, 1, 2)                  # [B,heads,N(query),N(key)]
        logits = logits.masked_fill(~word_mask.bool()[:, None, None, :], -1e4)
        att = torch.softmax(logits, dim=-1)
        V = self.values(S).reshape(B, N, self.heads, H // self.heads).transpose(1, 2)
        ctx = torch.matmul(att, V).transpose(1, 2).reshape(B, N, H)
        S = self.norm1(S + self.dropout(self.att_out(ctx)))
        S = self.norm2(S + self.dropout(self.ffn(S)))
        return S, T


class Head(nn.Module):
    def __init__(self, encoder_dim, schema, hidden=200, layers=3, heads=8, dropout=0.5):
        super().__init__()
        if hidden % 2 or hidden % heads:
            raise ValueError("table-sequence: hidden must be even and divisible by heads")
        self.hidden = hidden
        self.dropout = nn.Dropout(dropout)
        self.inp = nn.Linear(encoder_dim, hidden)
        self.rounds = nn.ModuleList(Round(hidden, heads, dropout) for _ in range(layers))
        self.tags = nn.Linear(hidden, len(tag_names(schema, "BIO")))
        self.table = nn.Linear(hidden, len(relation_labels(schema)))

    def forward(self, W, word_mask, targets=None):
        m = word_mask.float()
        pair_mask = m.unsqueeze(2) * m.unsqueeze(1)
        S = self.inp(self.dropout(W))
        B, N = S.size(0), S.size(1)
        T = torch.zeros(B, N, N, self.hidden, dtype=S.dtype, device=S.device)
        for r in self.rounds:
            S, T = r(S, T, word_mask, pair_mask)
        # dropout on the table is a per-cell mask; it is cheap next to the scan
        return {"tags": self.tags(self.dropout(S)), "table": self.table(self.dropout(T))}


def make_targets(sentences, schema, N):
    return make_tag_table_targets(sentences, schema, N, "BIO", full_grid=True)
