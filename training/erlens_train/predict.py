"""Batched PyTorch prediction + decoding + strict scoring (training-time evaluation).

Every architecture goes through its decoder family (architectures/families.py), the Python twin of
the TypeScript decoder the server runs."""
import torch

from .constraints import constrain
from .metrics import as_scoring_items
from .span_trim import trim_spans
from .featurize import batch as make_batch
from .metrics import score


def batches_by_length(encoded, batch_size):
    """Indices grouped into batches of similar length (less padding, same results)."""
    order = sorted(range(len(encoded)), key=lambda i: encoded[i]["n_subwords"])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


@torch.no_grad()
def raw_outputs(model, featurizer, sentences, device="cpu", batch_size=32, encoded=None):
    """Yield (index, raw) per non-empty sentence, batched by length; `raw` is what the family decodes.
    Empty sentences are skipped: there is nothing to find in them."""
    model.eval()
    family = model.arch.FAMILY
    encoded = encoded or [featurizer.encode(s.tokens) for s in sentences]
    for idx in batches_by_length(encoded, batch_size):
        idx = [i for i in idx if sentences[i].tokens]
        if not idx:
            continue
        inputs = {k: v.to(device) for k, v in make_batch([encoded[i] for i in idx], featurizer.kind).items()}
        raws = family.sentence_raw(model, model(**inputs), [len(sentences[i].tokens) for i in idx])
        yield from zip(idx, raws)


def finish(decoded, words, schema):
    """What every decoder family's output goes through, as in the server (runner.ts): spans trimmed by
    the guidelines, then relations outside the trained argument types dropped."""
    return constrain(*trim_spans(*decoded, words, schema.span_trim), schema)


def predict(model, featurizer, sentences, decode_cfg, schema, device="cpu", batch_size=32, encoded=None):
    """-> list of (entities, relations) per sentence, in decode_span_table' format."""
    family = model.arch.FAMILY
    results = [([], []) for _ in sentences]
    for i, raw in raw_outputs(model, featurizer, sentences, device, batch_size, encoded):
        results[i] = finish(family.decode(raw, len(sentences[i].tokens), schema, decode_cfg), sentences[i].tokens, schema)
    return results


def evaluate(model, featurizer, sentences, decode_cfg, schema, device="cpu", encoded=None):
    preds = predict(model, featurizer, sentences, decode_cfg, schema, device, encoded=encoded)
    return score(sentences, [as_scoring_items(e, r) for e, r in preds])
