"""The two encoder kinds: `wordchar` (own word vectors + char CNN + BiLSTM) and `transformer`
(any BERT/ELECTRA-family checkpoint in the Hugging Face folder layout, loaded by our own module).

Both map the input contract (featurize.py) to word vectors W [B,N,d]. Word pooling from
subwords follows models.md §0.2 and only needs first-subword indices.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


def pool_words(X, first, word_mask, attention_mask, mode):
    """X [B,S,d] -> W [B,N,d] with 'first', 'mean' or 'max' pooling over each word's subwords."""
    if mode == "first":
        idx = first.unsqueeze(-1).expand(-1, -1, X.size(-1))
        return torch.gather(X, 1, idx)
    S = X.size(1)
    # word i owns subwords [first[i], next_first[i]); the last real word ends before [SEP]
    n_real = word_mask.sum(1, keepdim=True)  # [B,1]
    last_sub = attention_mask.sum(1, keepdim=True) - 1  # index of [SEP] (or one past the last word)
    nxt = torch.cat([first[:, 1:], first[:, :1]], dim=1)
    pos = torch.arange(first.size(1), device=X.device).unsqueeze(0)
    nxt = torch.where(pos + 1 >= n_real, last_sub.expand_as(first), nxt)
    s = torch.arange(S, device=X.device).view(1, 1, S)
    member = (s >= first.unsqueeze(-1)) & (s < nxt.unsqueeze(-1)) & (word_mask.unsqueeze(-1) > 0)
    if mode == "mean":
        m = member.float()
        return torch.bmm(m, X) / m.sum(-1, keepdim=True).clamp(min=1.0)
    if mode == "max":
        neg = torch.finfo(X.dtype).min
        Xe = X.unsqueeze(1).masked_fill(~member.unsqueeze(-1), neg)
        out = Xe.max(dim=2).values
        return torch.where(member.any(-1, keepdim=True), out, torch.zeros_like(out))
    raise ValueError("unknown pooling %r" % (mode,))


# ---------------------------------------------------------------------------------------------
# wordchar


class CharCNN(nn.Module):
    def __init__(self, n_chars, char_dim=30, filters=50, kernel=3):
        super().__init__()
        self.emb = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.conv = nn.Conv1d(char_dim, filters, kernel, padding=kernel // 2)
        self.out_dim = filters

    def forward(self, char_ids):  # [B,N,C] -> [B,N,filters]
        B, N, C = char_ids.shape
        x = self.emb(char_ids.reshape(B * N, C)).transpose(1, 2)  # [BN, dc, C]
        h = self.conv(x)
        mask = (char_ids.reshape(B * N, 1, C) > 0)
        h = h.masked_fill(~mask, -1e4).max(dim=2).values
        h = torch.where(mask.any(-1), h, torch.zeros_like(h))
        return h.reshape(B, N, -1)


class MaskedBiLSTM(nn.Module):
    """BiLSTM whose output at real words never depends on padding.

    nn.LSTM(bidirectional=True) on a padded batch starts the backward pass in the padding, and
    packed sequences do not export to ONNX. So the backward direction runs a forward LSTM over
    each sentence reversed in place (a gather by length), which keeps padding at the end.
    """

    def __init__(self, in_dim, hidden, layers, dropout):
        super().__init__()
        self.fw = nn.ModuleList()
        self.bw = nn.ModuleList()
        d = in_dim
        for _ in range(layers):
            self.fw.append(nn.LSTM(d, hidden, batch_first=True))
            self.bw.append(nn.LSTM(d, hidden, batch_first=True))
            d = 2 * hidden
        self.dropout = nn.Dropout(dropout)
        self.out_dim = 2 * hidden

    @staticmethod
    def reverse_index(mask):
        lengths = mask.sum(1, keepdim=True)
        pos = torch.arange(mask.size(1), device=mask.device).unsqueeze(0)
        return torch.where(pos < lengths, lengths - 1 - pos, pos)

    def forward(self, x, mask):
        rev = self.reverse_index(mask).unsqueeze(-1)
        for i, (fw, bw) in enumerate(zip(self.fw, self.bw)):
            if i > 0:
                x = self.dropout(x)
            h_f, _ = fw(x)
            x_r = torch.gather(x, 1, rev.expand(-1, -1, x.size(-1)))
            h_b, _ = bw(x_r)
            h_b = torch.gather(h_b, 1, rev.expand(-1, -1, h_b.size(-1)))
            x = torch.cat([h_f, h_b], dim=-1)
        return x * mask.unsqueeze(-1).to(x.dtype)


class WordCharEncoder(nn.Module):
    kind = "wordchar"

    def __init__(self, n_words, n_chars, word_dim=100, char_dim=30, char_filters=50, hidden=200, layers=2,
                 dropout=0.5, freeze_words=True, word_vectors=None):
        super().__init__()
        self.word_emb = nn.Embedding(n_words, word_dim, padding_idx=0)
        if word_vectors is not None:
            with torch.no_grad():
                self.word_emb.weight.copy_(word_vectors)
        self.word_emb.weight.requires_grad = not freeze_words
        self.chars = CharCNN(n_chars, char_dim, char_filters)
        self.dropout = nn.Dropout(dropout)
        self.rnn = MaskedBiLSTM(word_dim + char_filters, hidden, layers, dropout)
        self.out_dim = self.rnn.out_dim

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids, pooling="first"):
        # One "subword" per word: pooling is the identity, whatever the architecture asks for.
        x = torch.cat([self.word_emb(input_ids), self.chars(char_ids)], dim=-1)
        x = self.dropout(x)
        return self.rnn(x, word_mask)


# ---------------------------------------------------------------------------------------------
# transformer (BERT / ELECTRA discriminator layout, Hugging Face parameter names)


class BertConfig:
    def __init__(self, d):
        self.vocab_size = d["vocab_size"]
        self.hidden_size = d["hidden_size"]
        self.embedding_size = d.get("embedding_size", d["hidden_size"])
        self.num_hidden_layers = d["num_hidden_layers"]
        self.num_attention_heads = d["num_attention_heads"]
        self.intermediate_size = d["intermediate_size"]
        self.max_position_embeddings = d.get("max_position_embeddings", 512)
        self.type_vocab_size = d.get("type_vocab_size", 2)
        self.layer_norm_eps = d.get("layer_norm_eps", 1e-12)
        self.hidden_dropout_prob = d.get("hidden_dropout_prob", 0.1)
        self.attention_probs_dropout_prob = d.get("attention_probs_dropout_prob", 0.1)
        self.hidden_act = d.get("hidden_act", "gelu")
        self.model_type = d.get("model_type", "bert")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError("hidden_size %d is not a multiple of num_attention_heads %d"
                             % (self.hidden_size, self.num_attention_heads))


class _Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.embedding_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.embedding_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.embedding_size)
        self.LayerNorm = nn.LayerNorm(c.embedding_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids):
        pos = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(
            torch.zeros_like(input_ids))
        return self.dropout(self.LayerNorm(x))


class _SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.p_drop = c.attention_probs_dropout_prob
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)
        self.fused = False  # set by the trainer on CUDA with PyTorch 2.x

    def forward(self, x, add_mask):
        B, S, D = x.shape
        hd = D // self.heads
        split = lambda t: t.view(B, S, self.heads, hd).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        if self.fused and hasattr(F, "scaled_dot_product_attention"):
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=add_mask,
                                                 dropout_p=self.p_drop if self.training else 0.0)
        else:
            att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + add_mask
            ctx = torch.matmul(self.dropout(att.softmax(-1)), v)
        return ctx.transpose(1, 2).reshape(B, S, D)


class _Dense(nn.Module):
    """dense -> dropout -> LayerNorm(x + residual); the HF "output" blocks."""

    def __init__(self, d_in, d_out, c):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class _Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = _SelfAttention(c)
        self.output = _Dense(c.hidden_size, c.hidden_size, c)

    def forward(self, x, add_mask):
        return self.output(self.self(x, add_mask), x)


class _Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x):
        return F.gelu(self.dense(x))


class _Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = _Attention(c)
        self.intermediate = _Intermediate(c)
        self.output = _Dense(c.intermediate_size, c.hidden_size, c)

    def forward(self, x, add_mask):
        a = self.attention(x, add_mask)
        return self.output(self.intermediate(a), a)


class _Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([_Layer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x, add_mask):
        for layer in self.layer:
            x = layer(x, add_mask)
        return x


class BertBody(nn.Module):
    """embeddings (+ ELECTRA's embeddings_project) + encoder, HF names so checkpoints load as they are."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.embeddings = _Embeddings(c)
        if c.embedding_size != c.hidden_size:
            self.embeddings_project = nn.Linear(c.embedding_size, c.hidden_size)
        self.encoder = _Encoder(c)

    def forward(self, input_ids, attention_mask):
        x = self.embeddings(input_ids)
        if hasattr(self, "embeddings_project"):
            x = self.embeddings_project(x)
        add_mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        return self.encoder(x, add_mask)


class TransformerEncoder(nn.Module):
    kind = "transformer"

    def __init__(self, config, dropout=0.1):
        super().__init__()
        self.body = BertBody(config)
        self.dropout = nn.Dropout(dropout)
        self.out_dim = config.hidden_size

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids=None, pooling="first"):
        X = self.body(input_ids, attention_mask)
        W = pool_words(X, word_first_subword, word_mask, attention_mask, pooling)
        return self.dropout(W) * word_mask.unsqueeze(-1).to(W.dtype)

    def set_fused_attention(self, on):
        for m in self.modules():
            if isinstance(m, _SelfAttention):
                m.fused = on


# ---------------------------------------------------------------------------------------------
# Hugging Face folder I/O (no `transformers`, no `safetensors` package)

_ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
              "I32": torch.int32, "U8": torch.uint8}


def read_safetensors(path):
    import struct
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        dtype = _ST_DTYPES[meta["dtype"]]
        t = torch.frombuffer(bytearray(blob[a:b]), dtype=dtype) if b > a else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(meta["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    import struct
    inv = {v: k for k, v in _ST_DTYPES.items()}
    header, chunks, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        raw = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": inv[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def read_hf_vocab(folder):
    """token -> id from vocab.txt, or from a WordPiece tokenizer.json."""
    txt = os.path.join(folder, "vocab.txt")
    if os.path.isfile(txt):
        with open(txt, encoding="utf-8") as f:
            return {line.rstrip("\n"): i for i, line in enumerate(f)}
    tj = os.path.join(folder, "tokenizer.json")
    if os.path.isfile(tj):
        with open(tj, encoding="utf-8") as f:
            model = json.load(f)["model"]
        if model.get("type") != "WordPiece":
            raise ValueError("%s: only WordPiece tokenizers are supported, not %s" % (tj, model.get("type")))
        return dict(model["vocab"])
    raise FileNotFoundError("%s has neither vocab.txt nor tokenizer.json" % folder)


def load_hf_encoder(folder, dropout=0.1):
    """Build a TransformerEncoder from config.json + pytorch_model.bin / model.safetensors."""
    cfg_path = os.path.join(folder, "config.json")
    if not os.path.isfile(cfg_path):
        raise FileNotFoundError("encoder folder %s has no config.json" % folder)
    with open(cfg_path, encoding="utf-8") as f:
        cfg = BertConfig(json.load(f))
    enc = TransformerEncoder(cfg, dropout)
    st, binp = os.path.join(folder, "model.safetensors"), os.path.join(folder, "pytorch_model.bin")
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.isfile(st):
        state = read_safetensors(st)
    elif os.path.isfile(index):  # sharded weights
        with open(index, encoding="utf-8") as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        state = {}
        for shard in shards:
            state.update(read_safetensors(os.path.join(folder, shard)))
    elif os.path.isfile(binp):
        state = torch.load(binp, map_location="cpu")
    else:
        raise FileNotFoundError("encoder folder %s has no model.safetensors or pytorch_model.bin" % folder)
    body_state = {}
    for k, v in state.items():
        for prefix in ("bert.", "electra.", "roberta.", ""):
            if k.startswith(prefix) and (k[len(prefix):].startswith("embeddings") or k[len(prefix):].startswith("encoder.")):
                body_state[k[len(prefix):]] = v.float()
                break
    expected = enc.body.state_dict()
    missing = [k for k in expected if k not in body_state]
    if missing:
        raise ValueError("encoder weights in %s lack %d tensors, e.g. %s" % (folder, len(missing), missing[:3]))
    wrong = [k for k in expected if tuple(body_state[k].shape) != tuple(expected[k].shape)]
    if wrong:
        raise ValueError("encoder weights in %s do not fit its config.json: %s has shape %s, expected %s"
                         % (folder, wrong[0], tuple(body_state[wrong[0]].shape), tuple(expected[wrong[0]].shape)))
    enc.body.load_state_dict({k: body_state[k] for k in expected})
    return enc, cfg
