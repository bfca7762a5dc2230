"""Batched PyTorch prediction + decoding + strict scoring (training-time evaluation)."""
import torch

from .decode import as_scoring_items, decode_tables
from .featurize import batch as make_batch
from .metrics import score


def batches_by_length(encoded, batch_size):
    """Indices grouped into batches of similar length (less padding, same results)."""
    order = sorted(range(len(encoded)), key=lambda i: encoded[i]["n_subwords"])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


@torch.no_grad()
def predict(model, featurizer, sentences, decode_cfg, schema, device="cpu", batch_size=32, encoded=None):
    """-> list of (entities, relations) per sentence, in decode_tables' format."""
    model.eval()
    encoded = encoded or [featurizer.encode(s.tokens) for s in sentences]
    results = [None] * len(sentences)
    for idx in batches_by_length(encoded, batch_size):
        non_empty = [i for i in idx if sentences[i].tokens]
        for i in idx:
            if not sentences[i].tokens:
                results[i] = ([], [])  # an empty sentence has nothing to find
        if not non_empty:
            continue
        inputs = {k: v.to(device) for k, v in make_batch([encoded[i] for i in non_empty], featurizer.kind).items()}
        ent_p, rel_p = model.arch.probabilities(model(**inputs))
        ent_p, rel_p = ent_p.cpu().numpy(), rel_p.cpu().numpy()
        for b, i in enumerate(non_empty):
            n = len(sentences[i].tokens)
            results[i] = decode_tables(ent_p[b], rel_p[b], n, schema, decode_cfg["ent_threshold"],
                                       decode_cfg["rel_threshold"], decode_cfg["pair_policy"])
    return results


def evaluate(model, featurizer, sentences, decode_cfg, schema, device="cpu", encoded=None):
    preds = predict(model, featurizer, sentences, decode_cfg, schema, device, encoded=encoded)
    return score(sentences, [as_scoring_items(e, r) for e, r in preds])
