"""On-disk cache of a frozen encoder bottom's output, one entry per distinct input (sentence or window).

On 2 CPU cores a MiniLM forward pass costs far more than an MGE head, so with `trainable_layers` 0
(or k: only the top k layers train) the frozen part (embeddings + the layers below) runs once per
sentence for the whole training, and every epoch after the first reads its states from here. An entry
is keyed by the sentence's subword ids (what the frozen part is a function of), so the train loop,
evaluation and the concatenation augmentation need not know about it; a miss is computed in one batch
pass and stored. States are kept as fp16 (half the memory; the trainable layers and the head run fp32
on top). The file's name carries a fingerprint of the encoder weights and the frozen depth, so a
different encoder or depth never reads stale states.
"""
import hashlib
import json
import os
import time

import torch


def fingerprint(encoder_folder_info, n_frozen, dtype="fp16"):
    blob = json.dumps({"source": encoder_folder_info, "frozen_layers": n_frozen, "dtype": dtype}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class FeatureCache:
    def __init__(self, path):
        self.path = path
        self.entries = {}
        self.dirty = 0
        self.hits = self.misses = 0
        if os.path.isfile(path):
            self.entries = torch.load(path)

    @staticmethod
    def key(ids_row):
        return hashlib.sha1(ids_row.to(torch.int32).cpu().numpy().tobytes()).hexdigest()

    def states(self, encoder, input_ids, attention_mask):
        """The frozen part's output [B,S,d] for a batch, from the cache where present."""
        lengths = attention_mask.sum(1).tolist()
        keys = [self.key(input_ids[b, :n]) for b, n in enumerate(lengths)]
        missing = [b for b, k in enumerate(keys) if k not in self.entries]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            sub = torch.tensor(missing, device=input_ids.device)
            S = max(lengths[b] for b in missing)
            with torch.no_grad():
                fresh = encoder.frozen_states(input_ids[sub, :S], attention_mask[sub, :S])
            for row, b in enumerate(missing):
                self.entries[keys[b]] = fresh[row, : lengths[b]].detach().to("cpu", torch.float16).clone()
            self.dirty += len(missing)
        d = encoder.out_dim
        out = torch.zeros(input_ids.size(0), input_ids.size(1), d, device=input_ids.device)
        for b, k in enumerate(keys):
            out[b, : lengths[b]] = self.entries[k].to(out.device, torch.float32)
        return out

    def flush(self):
        if not self.dirty:
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        tmp = self.path + ".tmp"
        torch.save(self.entries, tmp)
        os.replace(tmp, self.path)
        self.dirty = 0

    def stats(self):
        return {"entries": len(self.entries), "hits": self.hits, "misses": self.misses,
                "megabytes": round(sum(t.numel() * 2 for t in self.entries.values()) / 2 ** 20, 1)}


def warm(cache, model, encoded_lists, batch_kind, device, batch_size=32):
    """Compute every missing entry up front (one forward of the frozen part per sentence), then save.
    Returns the seconds it took and how many sentences were new."""
    from .featurize import batch as make_batch
    from .predict import batches_by_length
    t0, before = time.time(), len(cache.entries)
    enc = model.encoder.transformer if hasattr(model.encoder, "transformer") else model.encoder
    encoded = [e for lst in encoded_lists for e in lst]
    for idx in batches_by_length(encoded, batch_size):
        inputs = make_batch([encoded[i] for i in idx], batch_kind)
        ids, am = inputs["input_ids"].to(device), inputs["attention_mask"].to(device)
        if ids.size(1) > enc.window:  # long sentences: their windows are cached when first met
            continue
        cache.states(enc, ids, am)
    cache.flush()
    return round(time.time() - t0, 2), len(cache.entries) - before
