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
def probabilities(model, featurizer, sentences, device="cpu", batch_size=32, encoded=None):
    """Yield (index, entity_probs [n,n,E], relation_probs [n,n,R]) per non-empty sentence, batched by length.
    Empty sentences are skipped: there is nothing to find in them."""
    model.eval()
    encoded = encoded or [featurizer.encode(s.tokens) for s in sentences]
    for idx in batches_by_length(encoded, batch_size):
        idx = [i for i in idx if sentences[i].tokens]
        if not idx:
            continue
        inputs = {k: v.to(device) for k, v in make_batch([encoded[i] for i in idx], featurizer.kind).items()}
        ent_p, rel_p = model.arch.probabilities(model(**inputs))
        ent_p, rel_p = ent_p.cpu().numpy(), rel_p.cpu().numpy()
        for b, i in enumerate(idx):
            n = len(sentences[i].tokens)
            yield i, ent_p[b, :n, :n], rel_p[b, :n, :n]


def predict(model, featurizer, sentences, decode_cfg, schema, device="cpu", batch_size=32, encoded=None):
    """-> list of (entities, relations) per sentence, in decode_tables' format."""
    results = [([], []) for _ in sentences]
    for i, ent_p, rel_p in probabilities(model, featurizer, sentences, device, batch_size, encoded):
        results[i] = decode_tables(ent_p, rel_p, len(sentences[i].tokens), schema, decode_cfg["ent_threshold"],
                                   decode_cfg["rel_threshold"], decode_cfg["pair_policy"])
    return results


def evaluate(model, featurizer, sentences, decode_cfg, schema, device="cpu", encoded=None):
    preds = predict(model, featurizer, sentences, decode_cfg, schema, device, encoded=encoded)
    return score(sentences, [as_scoring_items(e, r) for e, r in preds])
