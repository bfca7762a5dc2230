"""ERlens' own encoder: ELECTRA-style pretraining (generator MLM + discriminator replaced-token
detection, shared embeddings) on ../shared/corpus, with a WordPiece vocabulary learned here.

    training/erlens-train pretrain --config training/configs/pretrain-electra-small.json [--resume]
    training/erlens-train pretrain --config ... --export-only      # HF folder from the last checkpoint

Steps, each resumable: (1) learn vocab.txt from the corpus, (2) tokenise the corpus once into packed
[CLS] ... [SEP] sequences (a tensor file), (3) train (generator and discriminator are `transformers`
ELECTRA models); every `checkpoint_every` steps `last.pt` is saved
atomically and the discriminator is exported as a Hugging Face folder (config.json, safetensors shards
of at most 15 MB, vocab.txt, tokenizer.json) that `encoder.kind = "transformer"` loads. The data order
is a seeded permutation of the packed sequences: step k always sees the same batch.
"""
import argparse
import contextlib
import glob
import gzip
import json
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import resolve
from .featurize import WordPieceFeaturizer
from .wordpiece_learn import count_words, learn_wordpiece

DEFAULTS = {
    "corpus": "../shared/corpus",
    "sources": ["biomed/*", "news/*", "science/*", "general/wikipedia-*", "general/brown-*", "general/us-speeches-*"],
    "max_lines": None,            # cap corpus lines (tiny runs)
    "vocab_size": 24000,
    "max_len": 128,
    "hidden": 256, "layers": 12, "heads": 4, "ffn": 1024, "embedding_size": 128,
    "generator_hidden": 64, "generator_layers": 12, "generator_heads": 1, "generator_ffn": 256,
    "mask_prob": 0.15, "disc_weight": 50.0,
    "batch_size": 128, "lr": 5e-4, "warmup_steps": 10000, "steps": 100000, "weight_decay": 0.01,
    "seed": 1, "device": "auto", "amp": True, "checkpoint_every": 2000, "log_every": 100,
    "heldout_sequences": 512, "out": "runs/pretrain-electra-small", "name": "erlens-electra-small",
}


def load_pretrain_config(path, overrides=None):
    with open(path, encoding="utf-8") as f:
        cfg = {**DEFAULTS, **json.load(f)}
    cfg.update(overrides or {})
    if not os.path.isdir(resolve(cfg["corpus"])):
        raise FileNotFoundError("corpus folder not found: %s" % cfg["corpus"])
    return cfg


def corpus_paths(cfg):
    paths = []
    for pattern in cfg["sources"]:
        found = sorted(glob.glob(os.path.join(resolve(cfg["corpus"]), pattern + ".txt.gz")))
        if not found:
            raise FileNotFoundError("no corpus shard matches %s" % pattern)
        paths.extend(found)
    return paths


def build_vocab(cfg, out_dir):
    path = os.path.join(out_dir, "vocab.txt")
    if not os.path.isfile(path):
        t0 = time.time()
        counts = count_words(corpus_paths(cfg), cfg["max_lines"])
        vocab = learn_wordpiece(counts, cfg["vocab_size"])
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
        os.replace(path + ".tmp", path)
        print(json.dumps({"event": "vocab", "size": len(vocab), "seconds": round(time.time() - t0, 1)}), flush=True)
    with open(path, encoding="utf-8") as f:
        return {line.rstrip("\n"): i for i, line in enumerate(f)}


def pack_corpus(cfg, vocab, out_dir):
    """Corpus -> [n, max_len] int32 sequences of whole lines packed up to max_len - 2 pieces."""
    path = os.path.join(out_dir, "packed.pt")
    if os.path.isfile(path):
        return torch.load(path)
    feat = WordPieceFeaturizer.from_vocab(vocab, max_subwords=10 ** 9)
    memo = {}

    def pieces(word):
        p = memo.get(word)
        if p is None:
            p = memo[word] = feat.pieces(word)
        return p

    L = cfg["max_len"] - 2
    seqs, cur, n_lines = [], [], 0
    for path_gz in corpus_paths(cfg):
        with gzip.open(path_gz, "rt", encoding="utf-8") as f:
            for line in f:
                ids = [i for w in line.split() for i in pieces(w)]
                if not ids:
                    continue
                if cur and len(cur) + len(ids) > L:
                    seqs.append(cur)
                    cur = []
                cur.extend(ids[:L] if len(ids) > L else ids)
                n_lines += 1
                if cfg["max_lines"] and n_lines >= cfg["max_lines"]:
                    break
        if cfg["max_lines"] and n_lines >= cfg["max_lines"]:
            break
    if cur:
        seqs.append(cur)
    packed = torch.zeros(len(seqs), cfg["max_len"], dtype=torch.int32)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    for i, s in enumerate(seqs):
        packed[i, 0] = cls
        packed[i, 1:len(s) + 1] = torch.tensor(s, dtype=torch.int32)
        packed[i, len(s) + 1] = sep
    torch.save(packed, path + ".tmp")
    os.replace(path + ".tmp", path)
    return packed


def bert_config(cfg, vocab_size, generator=False):
    g = "generator_" if generator else ""
    return {"vocab_size": vocab_size, "embedding_size": cfg["embedding_size"],
            "hidden_size": cfg[g + "hidden"], "num_hidden_layers": cfg[g + "layers"],
            "num_attention_heads": cfg[g + "heads"], "intermediate_size": cfg[g + "ffn"],
            "max_position_embeddings": cfg["max_len"], "type_vocab_size": 2, "hidden_act": "gelu",
            "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}


def bert_init(module):
    """BERT's initialisation: N(0, 0.02) weights, zero biases. PyTorch's defaults (N(0, 1) embeddings)
    make the tied MLM logits ~sqrt(E) large: the first measured MLM loss was 44 instead of ln|V| ~ 10."""
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
    if isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


def electra_body(config_dict):
    """An ELECTRA encoder by Hugging Face `transformers` (embeddings, embeddings_project, layers)."""
    from transformers import ElectraConfig, ElectraModel
    return ElectraModel(ElectraConfig(**config_dict))


def states(body, ids, attn):
    return body(input_ids=ids, attention_mask=attn).last_hidden_state


class Electra(nn.Module):
    def __init__(self, cfg, vocab_size):
        super().__init__()
        self.disc_config = bert_config(cfg, vocab_size)
        self.gen_config = bert_config(cfg, vocab_size, generator=True)
        self.disc = electra_body(self.disc_config)
        self.gen = electra_body(self.gen_config)
        self.gen.embeddings = self.disc.embeddings  # ELECTRA shares the embeddings
        E, Hg, Hd = cfg["embedding_size"], cfg["generator_hidden"], cfg["hidden"]
        self.gen_head = nn.Sequential(nn.Linear(Hg, E), nn.GELU(), nn.LayerNorm(E))
        self.gen_bias = nn.Parameter(torch.zeros(vocab_size))
        self.disc_head = nn.Sequential(nn.Linear(Hd, Hd), nn.GELU(), nn.Linear(Hd, 1))
        self.apply(bert_init)

    def forward(self, ids, attn, masked, mask_id, disc_weight):
        """ids [B,L] original tokens; masked [B,L] bool positions chosen for masking."""
        gen_in = ids.masked_fill(masked, mask_id)
        h = self.gen_head(states(self.gen, gen_in, attn)[masked])  # [M,E]
        logits = h @ self.disc.embeddings.word_embeddings.weight.t() + self.gen_bias
        targets = ids[masked]
        mlm_loss = F.cross_entropy(logits.float(), targets)
        with torch.no_grad():
            sampled = torch.multinomial(logits.float().softmax(-1), 1).squeeze(-1)
            corrupted = ids.clone()
            corrupted[masked] = sampled
            replaced = (corrupted != ids) & (attn > 0)
        disc_logits = self.disc_head(states(self.disc, corrupted, attn)).squeeze(-1)
        real = attn > 0
        rtd_loss = F.binary_cross_entropy_with_logits(disc_logits[real].float(), replaced[real].float())
        stats = {"mlm_correct": (logits.argmax(-1) == targets).sum().item(), "mlm_total": targets.numel(),
                 "rtd_correct": ((disc_logits > 0) == replaced)[real].sum().item(), "rtd_total": int(real.sum()),
                 "replaced": int(replaced.sum())}
        return mlm_loss + disc_weight * rtd_loss, mlm_loss, rtd_loss, stats


def choose_masks(ids, attn, special_ids, prob, g):
    cand = attn.bool()
    for s in special_ids:
        cand &= ids != s
    r = torch.rand(ids.shape, generator=g)
    masked = (r < prob) & cand
    # at least one masked token per batch, so the MLM loss is defined
    if not masked.any():
        masked[0, 1] = True
    return masked


def export_hf_folder(model, vocab, out_dir, shard_mb=15):
    """The discriminator as a Hugging Face ELECTRA folder (transformers' save_pretrained), fp16 weights in
    safetensors shards of at most shard_mb, with vocab.txt and tokenizer.json."""
    import copy
    from .export import write_tokenizer_json
    os.makedirs(out_dir, exist_ok=True)
    for old in glob.glob(os.path.join(out_dir, "model*.safetensors*")):
        os.remove(old)
    copy.deepcopy(model.disc).half().save_pretrained(out_dir, max_shard_size="%dMB" % shard_mb)
    inv = sorted(vocab, key=vocab.get)
    with open(os.path.join(out_dir, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(inv) + "\n")
    write_tokenizer_json(vocab, False, os.path.join(out_dir, "tokenizer.json"))


@torch.no_grad()
def heldout_accuracy(model, held, attn_held, special, mask_id, cfg, device):
    model.eval()
    g = torch.Generator().manual_seed(12345)
    tot = {"mlm_correct": 0, "mlm_total": 0, "rtd_correct": 0, "rtd_total": 0, "replaced": 0}
    for b in range(0, held.size(0), 64):
        ids, attn = held[b:b + 64].long(), attn_held[b:b + 64]
        masked = choose_masks(ids, attn, special, cfg["mask_prob"], g)
        _, _, _, st = model(ids.to(device), attn.to(device), masked.to(device), mask_id, cfg["disc_weight"])
        for k in tot:
            tot[k] += st[k]
    model.train()
    return {"mlm_accuracy": tot["mlm_correct"] / max(1, tot["mlm_total"]),
            "rtd_accuracy": tot["rtd_correct"] / max(1, tot["rtd_total"]),
            "replaced_share": tot["replaced"] / max(1, tot["rtd_total"])}


def pretrain(config_path, resume=False, export_only=False, overrides=None, quiet=False):
    cfg = load_pretrain_config(config_path, overrides)
    out = resolve(cfg["out"])
    os.makedirs(out, exist_ok=True)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if cfg["device"] == "auto" else cfg["device"]
    torch.manual_seed(cfg["seed"])
    random.seed(cfg["seed"])
    vocab = build_vocab(cfg, out)
    packed = pack_corpus(cfg, vocab, out)
    n_held = min(cfg["heldout_sequences"], max(1, packed.size(0) // 10))
    held, train_seqs = packed[-n_held:], packed[:-n_held]
    attn_all = (train_seqs != 0).long()
    attn_held = (held != 0).long()
    model = Electra(cfg, len(vocab)).to(device)  # transformers picks fused (SDPA) attention itself
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    warm, total = cfg["warmup_steps"], cfg["steps"]
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    step = 0
    last = os.path.join(out, "last.pt")
    if (resume or export_only) and os.path.isfile(last):
        ck = torch.load(last, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["schedule"])
        step = ck["step"]
    folder = os.path.join(out, "encoder")
    if export_only:
        export_hf_folder(model, vocab, folder)
        return folder
    special = [vocab[t] for t in ("[PAD]", "[CLS]", "[SEP]")]
    mask_id = vocab["[MASK]"]
    log_path = os.path.join(out, "log.jsonl")
    perm_g = torch.Generator().manual_seed(cfg["seed"])
    n = train_seqs.size(0)
    epoch_perm, perm_epoch = None, -1
    use_amp = cfg["amp"] and device == "cuda"
    t0, tokens, agg = time.time(), 0, {"loss": 0.0, "mlm": 0.0, "rtd": 0.0, "n": 0}

    def log(**rec):
        rec["time"] = round(time.time(), 1)
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        if not quiet:
            print(json.dumps(rec), flush=True)

    log(event="start", step=step, sequences=n, heldout=n_held, vocab=len(vocab), device=device,
        parameters_discriminator=sum(p.numel() for p in model.disc.parameters()),
        parameters_total=sum(p.numel() for p in model.parameters()))
    model.train()
    while step < total:
        # batch k: a fixed slice of a seeded permutation of the sequences (resumable by step)
        first = step * cfg["batch_size"]
        ep = first // n
        if ep != perm_epoch:
            epoch_perm = torch.randperm(n, generator=torch.Generator().manual_seed(cfg["seed"] * 7919 + ep))
            perm_epoch = ep
        idx = epoch_perm[(first % n):(first % n) + cfg["batch_size"]]
        ids, attn = train_seqs[idx].long(), attn_all[idx]
        mg = torch.Generator().manual_seed(cfg["seed"] * 1_000_003 + step)
        masked = choose_masks(ids, attn, special, cfg["mask_prob"], mg)
        ids, attn, masked = ids.to(device), attn.to(device), masked.to(device)
        # bf16 autocast on CUDA only (Debian's CPU torch 1.13 refuses even a disabled CUDA autocast)
        with (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_amp else contextlib.nullcontext()):
            loss, mlm, rtd, _ = model(ids, attn, masked, mask_id, cfg["disc_weight"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        tokens += int(attn.sum())
        agg["loss"] += loss.item(); agg["mlm"] += mlm.item(); agg["rtd"] += rtd.item(); agg["n"] += 1
        if step % cfg["log_every"] == 0 or step == total:
            dt = time.time() - t0
            log(event="step", step=step, loss=agg["loss"] / agg["n"], mlm_loss=agg["mlm"] / agg["n"],
                rtd_loss=agg["rtd"] / agg["n"], lr=sched.get_last_lr()[0], tokens_per_second=round(tokens / dt))
            t0, tokens, agg = time.time(), 0, {"loss": 0.0, "mlm": 0.0, "rtd": 0.0, "n": 0}
        if step % cfg["checkpoint_every"] == 0 or step == total:
            tmp = last + ".tmp"
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "schedule": sched.state_dict(),
                        "step": step, "config": cfg}, tmp)
            os.replace(tmp, last)
            export_hf_folder(model, vocab, folder)
            log(event="checkpoint", step=step, heldout=heldout_accuracy(model, held, attn_held, special, mask_id, cfg,
                                                                         device))
    return folder


def main(argv=None):
    p = argparse.ArgumentParser(prog="erlens-train pretrain")
    p.add_argument("--config", required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--export-only", action="store_true")
    p.add_argument("--set", action="append", default=[], metavar="KEY=JSON")
    args = p.parse_args(argv)
    overrides = {}
    for kv in args.set:
        k, _, v = kv.partition("=")
        overrides[k] = json.loads(v)
    torch.set_num_threads(int(os.environ.get("ERLENS_THREADS", "2")))
    print("encoder folder: %s" % pretrain(args.config, args.resume, args.export_only, overrides))
