"""STSN (Ji et al., "Boosting Span-based Joint Entity and Relation Extraction via Sequence Tagging
Mechanism"), models.md §3.

Three token streams (label, entity, relation) exchange information through stacked cross-attention; a
BIO tagger on the label stream feeds a tag embedding to a span classifier (every span of up to
`max_width` words) and a span-pair classifier (sigmoid, several relation types per pair).

Two graph stages, as models.md §3.6 asks: the main graph enumerates every span in-graph (a fixed width
axis and a gather, no loop) and outputs span probabilities plus the relation stream; the "pairs" graph
scores the ordered pairs of kept spans the decoder sends it. Both classifiers are single linear layers
over concatenations, computed as sums of per-part projections so no [spans, 2d+450] tensor is built.

Deviations for a 2-core CPU (recorded in model.json): the streams are `hidden` wide (the paper uses the
encoder width), and the loss covers every candidate span (SpERT samples 100 negatives; a sentence has
about as many candidates) and every ordered pair of gold entities, up to MAX_NEGATIVE_PAIRS negatives.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .families import SpanPairs
from .tag_targets import IGNORE

FAMILY = SpanPairs
MAX_WIDTH = 10            # longest span classified, in words (models.md §3.1)
MAX_NEGATIVE_PAIRS = 100  # per sentence: ordered pairs of gold entities with no relation (SpERT's count)
POOLING = "max"
OUTPUT_NAMES = ["span_probs", "relation_features"]
OUTPUT_AXES = {"span_probs": {0: "batch", 1: "words"}, "relation_features": {0: "batch", 1: "words"}}


def tag_names(schema):
    """O, B-/I- per type, then every two-fold overlap "X-a/Y-b" (models.md §3.2). The vocabulary is
    fixed by the schema, so a package needs no extra file to rebuild it."""
    single = ["%s-%s" % (p, t) for t in schema.entity_types for p in ("B", "I")]
    return ["O"] + single + ["%s/%s" % (a, b) for a in single for b in single]


def word_tags(sentence, schema, n):
    E2 = 2 * len(schema.entity_types)
    per_word = [[] for _ in range(n)]
    for s, e, t in sorted(sentence.entities, key=lambda x: (x[0], -x[1])):
        if t not in schema.ent_index or e > n:
            continue
        base = 1 + 2 * schema.ent_index[t]
        for i in range(s, e):
            per_word[i].append(base if i == s else base + 1)
    tags = []
    for ts in per_word:
        if not ts:
            tags.append(0)
        elif len(ts) == 1:
            tags.append(ts[0])
        else:  # a third overlapping entity is not representable; the span classifier still sees it
            tags.append(1 + E2 + (ts[0] - 1) * E2 + (ts[1] - 1))
    return tags


class AttentionUnit(nn.Module):
    """U(q, kv): multi-head attention + residual + LayerNorm, then FFN + residual + LayerNorm."""

    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ffn = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Dropout(dropout), nn.Linear(d, d))
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.dropout = nn.Dropout(dropout)

    def split(self, x):
        B, N, d = x.shape
        return x.reshape(B, N, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, q, kv, key_mask):
        B, N, d = q.shape
        logits = torch.matmul(self.split(self.q(q)), self.split(self.k(kv)).transpose(2, 3)) / (d // self.heads) ** 0.5
        logits = logits.masked_fill(~key_mask[:, None, None, :], -1e4)
        ctx = torch.matmul(self.dropout(torch.softmax(logits, -1)), self.split(self.v(kv)))
        x = self.norm1(q + self.dropout(self.o(ctx.transpose(1, 2).reshape(B, N, d))))
        return self.norm2(x + self.dropout(self.ffn(x)))


class Layer(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.fuse = nn.Linear(2 * d, d)
        self.label, self.entity, self.relation = (AttentionUnit(d, heads, dropout) for _ in range(3))

    def forward(self, HL, HE, HR, key_mask):
        HL = self.label(HL, self.fuse(torch.cat([HE, HR], -1)), key_mask)
        return HL, self.entity(HE, HL, key_mask), self.relation(HR, HL, key_mask)


class Head(nn.Module):
    def __init__(self, encoder_dim, schema, hidden=200, layers=2, heads=8, tag_dim=150, width_dim=150, dropout=0.1):
        super().__init__()
        self.schema = schema
        self.max_width = MAX_WIDTH
        n_types, n_rel = len(schema.entity_types) + 1, max(1, len(schema.relation_types))
        self.n_rel = n_rel
        self.to_label, self.to_entity, self.to_relation = (nn.Linear(encoder_dim, hidden) for _ in range(3))
        self.layers = nn.ModuleList(Layer(hidden, heads, dropout) for _ in range(layers))
        names = tag_names(schema)
        self.tag_out = nn.Linear(hidden, len(names))
        self.tag_emb = nn.Embedding(len(names), tag_dim)
        self.width_emb = nn.Embedding(MAX_WIDTH, width_dim)
        D = hidden + tag_dim
        self.dropout = nn.Dropout(dropout)
        # span classifier Linear([F_E start; F_E end; width] -> |E|+1), one projection per part
        self.span_start = nn.Linear(D, n_types)
        self.span_end = nn.Linear(D, n_types, bias=False)
        self.span_width = nn.Linear(width_dim, n_types, bias=False)
        # pair classifier Linear([rep(s1); rep(s2); ctx] -> |R|): head start/end, tail start/end parts
        self.pair_words = nn.Linear(D, 4 * n_rel, bias=False)
        self.pair_width = nn.Linear(width_dim, 2 * n_rel, bias=False)
        self.pair_ctx = nn.Linear(D, n_rel)

    def forward(self, W, word_mask, targets=None):
        key_mask = word_mask.bool()
        HL, HE, HR = self.to_label(W), self.to_entity(W), self.to_relation(W)
        for layer in self.layers:
            HL, HE, HR = layer(HL, HE, HR, key_mask)
        tag_logits = self.tag_out(HL)
        # teacher forcing during training (the paper), the tagger's own argmax at inference
        tags = targets["tags"].clamp(min=0) if targets is not None else tag_logits.argmax(-1)
        G = self.tag_emb(tags)
        FE, FR = torch.cat([HE, G], -1), torch.cat([HR, G], -1)
        FE = self.dropout(FE)
        N = W.size(1)
        ends = (torch.arange(N, device=W.device).unsqueeze(1) + torch.arange(self.max_width, device=W.device)).clamp(max=N - 1)
        end_part = self.span_end(FE).index_select(1, ends.reshape(-1)).reshape(W.size(0), N, self.max_width, -1)
        spans = self.span_start(FE).unsqueeze(2) + end_part + self.span_width(self.width_emb.weight)
        # spans that run past the sentence get constant logits, so no output depends on padding
        valid = (torch.arange(N, device=W.device).unsqueeze(1) + torch.arange(self.max_width, device=W.device)
                 ) < word_mask.sum(1)[:, None, None]
        spans = spans.masked_fill(~valid.unsqueeze(-1), 0.0)
        return {"tags": tag_logits, "spans": spans, "features": FR}

    def pair_logits(self, FR, index):
        """FR [B,N,D], index [B,P,4] (head start, head last, tail start, tail last) -> [B,P,|R|]."""
        R = self.n_rel
        FR = self.dropout(FR)
        words = self.pair_words(FR)
        logits = self.pair_ctx.bias.expand(index.size(0), index.size(1), R)
        for c in range(4):
            part = words[..., c * R:(c + 1) * R]
            logits = logits + part.gather(1, index[..., c:c + 1].expand(-1, -1, R))
        widths = self.pair_width(self.width_emb.weight)                 # [max_width, 2R]
        wh = (index[..., 1] - index[..., 0]).clamp(0, self.max_width - 1)
        wt = (index[..., 3] - index[..., 2]).clamp(0, self.max_width - 1)
        logits = logits + F.embedding(wh, widths[:, :R]) + F.embedding(wt, widths[:, R:])
        # context: max-pool of F_R over the words strictly between the two spans (zeros if none)
        pos = torch.arange(FR.size(1), device=FR.device)
        lo = torch.minimum(index[..., 1], index[..., 3]).unsqueeze(-1)
        hi = torch.maximum(index[..., 0], index[..., 2]).unsqueeze(-1)
        between = (pos > lo) & (pos < hi)                               # [B,P,N]
        pooled = FR.unsqueeze(1).masked_fill(~between.unsqueeze(-1), -1e4).max(dim=2).values
        ctx = torch.where(between.any(-1, keepdim=True), pooled, torch.zeros_like(pooled))
        return logits + F.linear(ctx, self.pair_ctx.weight)

    def pair_probabilities(self, FR, index):
        return torch.sigmoid(self.pair_logits(FR, index))


class PairsStage(nn.Module):
    """The second graph: relation features of a batch + pair indices -> relation probabilities."""

    def __init__(self, model):
        super().__init__()
        self.head = model.head

    def forward(self, relation_features, pair_index):
        return self.head.pair_probabilities(relation_features, pair_index)


def example_pairs_inputs(main_outputs, word_counts):
    """The batch's relation features and a few pairs per sentence, inside its words (export, parity)."""
    rows = []
    for n in word_counts:
        last = n - 1
        rows.append([[0, 0, last, last], [last, last, 0, min(2, last)], [0, min(1, last), min(1, last), last]])
    return {"relation_features": main_outputs["relation_features"], "pair_index": torch.tensor(rows, dtype=torch.long)}


STAGES = {"pairs": {"module": PairsStage, "inputs": ["relation_features", "pair_index"], "outputs": ["relation_probs"],
                    "example": example_pairs_inputs,
                    "axes": {"relation_features": {0: "batch", 1: "words"}, "pair_index": {0: "batch", 1: "pairs"},
                             "relation_probs": {0: "batch", 1: "pairs"}}}}


def make_targets(sentences, schema, N):
    B, W = len(sentences), MAX_WIDTH
    tags = torch.full((B, N), IGNORE, dtype=torch.long)
    spans = torch.full((B, N, W), IGNORE, dtype=torch.long)
    pair_rows, pair_labels = [], []
    R = max(1, len(schema.relation_types))
    for b, s in enumerate(sentences):
        n = min(len(s.tokens), N)
        tags[b, :n] = torch.tensor(word_tags(s, schema, n), dtype=torch.long)
        for i in range(n):
            spans[b, i, :min(W, n - i)] = 0
        for st, en, t in s.entities:
            if en <= n and en - st <= W and t in schema.ent_index and spans[b, st, en - st - 1] == 0:
                spans[b, st, en - st - 1] = 1 + schema.ent_index[t]
        ents = [e for e in s.entities if e[1] <= n]
        labels = {}
        for h, t, r in s.relations:
            if r in schema.rel_index and s.entities[h][1] <= n and s.entities[t][1] <= n:
                labels.setdefault((s.entities[h][:2], s.entities[t][:2]), set()).add(schema.rel_index[r])
        rows, ys, negatives = [], [], 0
        for a in ents:
            for c in ents:
                if a[:2] == c[:2]:
                    continue
                y = labels.get((a[:2], c[:2]), set())
                if not y:
                    if negatives >= MAX_NEGATIVE_PAIRS:
                        continue
                    negatives += 1
                rows.append([a[0], a[1] - 1, c[0], c[1] - 1])
                ys.append([1.0 if r in y else 0.0 for r in range(R)])
        pair_rows.append(rows)
        pair_labels.append(ys)
    P = max(1, max(len(r) for r in pair_rows))
    index = torch.zeros(B, P, 4, dtype=torch.long)
    labels = torch.zeros(B, P, R)
    mask = torch.zeros(B, P)
    for b, (rows, ys) in enumerate(zip(pair_rows, pair_labels)):
        if rows:
            index[b, :len(rows)] = torch.tensor(rows)
            labels[b, :len(rows)] = torch.tensor(ys)
            mask[b, :len(rows)] = 1.0
    return {"tags": tags, "spans": spans, "pair_index": index, "pair_labels": labels, "pair_mask": mask}


def loss(outputs, targets, word_mask, head=None):
    tag_loss = F.cross_entropy(outputs["tags"].flatten(0, 1), targets["tags"].flatten(), ignore_index=IGNORE)
    span_loss = F.cross_entropy(outputs["spans"].flatten(0, 2), targets["spans"].flatten(), ignore_index=IGNORE)
    mask = targets["pair_mask"]
    if mask.sum() == 0:
        return tag_loss + span_loss
    pair = F.binary_cross_entropy_with_logits(head.pair_logits(outputs["features"], targets["pair_index"]),
                                              targets["pair_labels"], reduction="none").mean(-1)
    return tag_loss + span_loss + (pair * mask).sum() / mask.sum()


def probabilities(outputs):
    return [torch.softmax(outputs["spans"], -1), outputs["features"]]
