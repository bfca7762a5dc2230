"""The encoder kinds: `wordchar` (own word vectors + char CNN + BiLSTM), `transformer` (a pretrained
BERT-family model, loaded and run by Hugging Face `transformers`) and `hybrid` (both, concatenated).

All map the input contract (featurize.py) to word vectors W [B,N,d]. Word pooling from subwords
follows models.md §0.2 and only needs first-subword indices. The wordchar parts and the pooling are
our own: they are a few lines each, have to export to ONNX as they are, and no library has them.
"""
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


def word_table(n_words, word_dim, word_vectors=None, frozen=True):
    """The word embedding of the wordchar and hybrid encoders: the corpus-trained fastText vectors when
    given, kept frozen by default (the table covers words the training data never shows)."""
    emb = nn.Embedding(n_words, word_dim, padding_idx=0)
    if word_vectors is not None:
        with torch.no_grad():
            emb.weight.copy_(word_vectors)
    emb.weight.requires_grad = not frozen
    return emb


class GazetteerEmbedding(nn.Module):
    """The gazetteer feature (gazetteer.py: padding, outside, begin, inside) as a small learned vector
    per word; `dim` 0 means the package has no gazetteer and the module adds nothing."""

    def __init__(self, dim):
        super().__init__()
        from .gazetteer import N_TAGS
        self.dim = dim
        self.emb = nn.Embedding(N_TAGS, dim, padding_idx=0) if dim else None

    def extend(self, parts, gazetteer_ids):
        if self.emb is None:
            return parts
        if gazetteer_ids is None:
            raise ValueError("this encoder was built with a gazetteer: gazetteer_ids are required")
        return parts + [self.emb(gazetteer_ids)]


class WordCharEncoder(nn.Module):
    kind = "wordchar"

    def __init__(self, n_words, n_chars, word_dim=100, char_dim=30, char_filters=50, hidden=200, layers=2,
                 dropout=0.5, freeze_words=True, word_vectors=None, gazetteer_dim=0):
        super().__init__()
        self.word_emb = word_table(n_words, word_dim, word_vectors, freeze_words)
        self.chars = CharCNN(n_chars, char_dim, char_filters)
        self.gazetteer = GazetteerEmbedding(gazetteer_dim)
        self.dropout = nn.Dropout(dropout)
        self.rnn = MaskedBiLSTM(word_dim + char_filters + gazetteer_dim, hidden, layers, dropout)
        self.out_dim = self.rnn.out_dim

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids, word_ids=None, pooling="first",
                gazetteer_ids=None):
        # One "subword" per word: pooling is the identity, whatever the architecture asks for.
        x = torch.cat(self.gazetteer.extend([self.word_emb(input_ids), self.chars(char_ids)], gazetteer_ids), dim=-1)
        x = self.dropout(x)
        return self.rnn(x, word_mask)


# ---------------------------------------------------------------------------------------------
# transformer: a Hugging Face `transformers` model (BERT family), partly or wholly frozen


def load_hf_model(folder):
    """The pretrained encoder body from a local folder, by `transformers` (AutoModel), never from the network."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging
    level = hf_logging.get_verbosity()
    # the pooler weights left out below are reported as "UNEXPECTED" in a table on every load: expected here
    hf_logging.set_verbosity_error()
    try:  # BERT has a pooler ([CLS] -> tanh) no word-level head reads; ELECTRA has none to leave out
        model = AutoModel.from_pretrained(folder, local_files_only=True, add_pooling_layer=False)
    except TypeError:
        model = AutoModel.from_pretrained(folder, local_files_only=True)
    finally:
        hf_logging.set_verbosity(level)
    return model.float()


def hf_model_from_config(folder):
    """The same architecture from a saved config.json with fresh weights (rebuilding a trained run:
    best.pt holds the weights)."""
    from transformers import AutoConfig, AutoModel
    cfg = AutoConfig.from_pretrained(folder, local_files_only=True)
    try:
        return AutoModel.from_config(cfg, add_pooling_layer=False).float()
    except TypeError:
        return AutoModel.from_config(cfg).float()


def window_spans(S, window, overlap):
    """Subword windows over positions 1..S-1 (position 0 is [CLS], prepended to every window):
    [(a, b)] with b - a <= window - 1, consecutive windows sharing `overlap` positions."""
    content = window - 1
    spans, a = [], 1
    while True:
        b = min(S, a + content)
        spans.append((a, b))
        if b >= S:
            return spans
        a = b - overlap


class TransformerEncoder(nn.Module):
    """Word vectors from a pretrained transformer: subword states pooled per word (models.md §0.2).

    trainable_layers: None = everything trains (embeddings included); k = only the top k layers train,
    the embeddings and the layers below run frozen (eval mode, no gradients), so their output per
    sentence never changes and can be cached on disk (feature_cache.py): a frozen encoder (k = 0) is
    run once per sentence for the whole training. Inputs longer than `window` subwords (the position
    table) are split into overlapping windows, each with [CLS] in front, and every subword takes its
    state from the window where it has most context: never truncated.
    """
    kind = "transformer"

    def __init__(self, hf_model, dropout=0.1, trainable_layers=None, window=None, overlap=None):
        super().__init__()
        self.body = hf_model
        cfg = hf_model.config
        n_layers = cfg.num_hidden_layers
        if trainable_layers is not None and not 0 <= trainable_layers <= n_layers:
            raise ValueError("trainable_layers must be between 0 and %d, not %r" % (n_layers, trainable_layers))
        self.n_frozen = 0 if trainable_layers is None else n_layers - trainable_layers
        self.freeze_embeddings = trainable_layers is not None
        for m in (self.body.embeddings, getattr(self.body, "embeddings_project", None)):
            for p in (m.parameters() if m is not None else []):
                p.requires_grad = not self.freeze_embeddings
        for i, layer in enumerate(self.body.encoder.layer):
            for p in layer.parameters():
                p.requires_grad = i >= self.n_frozen
        self.window = min(window or cfg.max_position_embeddings, cfg.max_position_embeddings)
        self.overlap = overlap if overlap is not None else self.window // 4
        self.dropout = nn.Dropout(dropout)
        self.out_dim = cfg.hidden_size
        self.cache = None  # a FeatureCache while training (feature_cache.py); never in exported graphs

    @property
    def frozen_part(self):
        """Nothing below the trainable layers trains: their output is a pure function of the input."""
        return self.freeze_embeddings

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_embeddings:  # frozen parts never see dropout, so cached features stay exact
            self.body.embeddings.eval()
            if hasattr(self.body, "embeddings_project"):
                self.body.embeddings_project.eval()
            for layer in self.body.encoder.layer[: self.n_frozen]:
                layer.eval()
        return self

    def _mask(self, h, attention_mask):
        from transformers.masking_utils import create_bidirectional_mask
        return create_bidirectional_mask(config=self.body.config, inputs_embeds=h, attention_mask=attention_mask)

    def frozen_states(self, input_ids, attention_mask):
        """Output of the frozen bottom (embeddings + n_frozen layers), [B,S,d]."""
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze_embeddings):
            h = self.body.embeddings(input_ids=input_ids)
            if hasattr(self.body, "embeddings_project"):  # ELECTRA: embedding size -> hidden size
                h = self.body.embeddings_project(h)
            if self.n_frozen:
                mask = self._mask(h, attention_mask)
                for layer in self.body.encoder.layer[: self.n_frozen]:
                    h = layer(h, mask)
        return h

    def _stack(self, input_ids, attention_mask):
        if self.cache is not None and self.frozen_part:
            h = self.cache.states(self, input_ids, attention_mask)
        else:
            h = self.frozen_states(input_ids, attention_mask)
        if self.n_frozen < len(self.body.encoder.layer):
            mask = self._mask(h, attention_mask)
            for layer in self.body.encoder.layer[self.n_frozen:]:
                h = layer(h, mask)
        return h

    def subword_states(self, input_ids, attention_mask):
        S = input_ids.size(1)
        if S <= self.window:  # always the case in exported graphs: the server windows by words first
            return self._stack(input_ids, attention_mask)
        spans = window_spans(S, self.window, self.overlap)
        cls_ids, cls_mask = input_ids[:, :1], attention_mask[:, :1]
        outs = [self._stack(torch.cat([cls_ids, input_ids[:, a:b]], 1), torch.cat([cls_mask, attention_mask[:, a:b]], 1))
                for a, b in spans]
        cols = [outs[0][:, :1]]  # [CLS] from the first window
        for p in range(1, S):
            # the window that gives position p the most context on its poorer side (sentence edges unlimited)
            best, best_m = 0, -1
            for k, (a, b) in enumerate(spans):
                if a <= p < b:
                    m = min(p - a if k else S, b - 1 - p if b < S else S)
                    if m > best_m:
                        best, best_m = k, m
            cols.append(outs[best][:, p - spans[best][0] + 1: p - spans[best][0] + 2])
        return torch.cat(cols, 1)

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids=None, word_ids=None,
                pooling="first"):
        X = self.subword_states(input_ids, attention_mask)
        W = pool_words(X, word_first_subword, word_mask, attention_mask, pooling)
        return self.dropout(W) * word_mask.unsqueeze(-1).to(W.dtype)


class HybridEncoder(nn.Module):
    """Pretrained word vectors concatenated with the wordchar features (own fastText vectors + char
    CNN) and contextualised by the padding-safe BiLSTM. The uncased sentence encoders available here
    (all-MiniLM-L6-v2) lose case and cut rare words into pieces; the char CNN and the corpus-trained
    word vectors bring both back."""
    kind = "hybrid"

    def __init__(self, transformer, n_words, n_chars, word_dim=100, char_dim=30, char_filters=50, hidden=200,
                 layers=1, dropout=0.5, freeze_words=True, word_vectors=None, gazetteer_dim=0):
        super().__init__()
        self.transformer = transformer
        self.word_emb = word_table(n_words, word_dim, word_vectors, freeze_words)
        self.chars = CharCNN(n_chars, char_dim, char_filters)
        self.gazetteer = GazetteerEmbedding(gazetteer_dim)
        self.dropout = nn.Dropout(dropout)
        self.rnn = MaskedBiLSTM(transformer.out_dim + word_dim + char_filters + gazetteer_dim, hidden, layers, dropout)
        self.out_dim = self.rnn.out_dim

    @property
    def cache(self):
        return self.transformer.cache

    def forward(self, input_ids, attention_mask, word_first_subword, word_mask, char_ids=None, word_ids=None,
                pooling="first", gazetteer_ids=None):
        T = self.transformer(input_ids, attention_mask, word_first_subword, word_mask, pooling=pooling)
        x = torch.cat(self.gazetteer.extend([T, self.word_emb(word_ids), self.chars(char_ids)], gazetteer_ids), dim=-1)
        return self.rnn(self.dropout(x), word_mask)
