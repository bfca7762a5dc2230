"""Targets, loss and output probabilities of the sigmoid span/relation tables shared by PFN and MGE
(models.md §4.4): both architecture modules export make_targets, loss and probabilities from here."""
import torch
import torch.nn.functional as F


def make_table_targets(sentences, schema, N):
    B = len(sentences)
    ent = torch.zeros(B, N, N, len(schema.entity_types))
    rel = torch.zeros(B, N, N, max(1, len(schema.relation_types)))
    for b, s in enumerate(sentences):
        for start, end, etype in s.entities:
            if end <= N and etype in schema.ent_index:
                ent[b, start, end - 1, schema.ent_index[etype]] = 1.0
        for h, t, rtype in s.relations:
            hs, ts = s.entities[h][0], s.entities[t][0]
            if hs < N and ts < N and rtype in schema.rel_index:
                rel[b, hs, ts, schema.rel_index[rtype]] = 1.0
    targets = {"ent": ent, "rel": rel}
    unknown = [getattr(s, "unknown_spans", ()) for s in sentences]
    if any(getattr(s, "coverage", None) is not None for s in sentences) or any(unknown):
        targets["ent_mask"] = coverage_mask(ent, [s.coverage for s in sentences], schema.entity_types, "entity_mode")
        targets["rel_mask"] = coverage_mask(rel, [s.coverage for s in sentences], schema.relation_types, "relation_mode")
        for b, spans in enumerate(unknown):
            for start, end in spans:
                if end <= N:
                    targets["ent_mask"][b, start, end - 1, :] = 0.0
    weights = [getattr(s, "weight", 1.0) for s in sentences]
    if any(w != 1.0 for w in weights):
        targets["weight"] = torch.tensor(weights)
    return targets


def coverage_mask(target, coverages, types, mode_of):
    """Which cells train, per sentence and label (sources.py): every cell of a label its source
    annotates fully, only the positive cells of one it annotates partly, none of one it ignores."""
    B, _, _, C = target.shape
    full = torch.ones(B, 1, 1, C)
    partial = torch.zeros(B, 1, 1, C)
    for b, cov in enumerate(coverages):
        if cov is None:
            continue
        for c, t in enumerate(types[:C]):
            mode = getattr(cov, mode_of)(t)
            if mode != "all":
                full[b, 0, 0, c] = 0.0
            if mode == "positive":
                partial[b, 0, 0, c] = 1.0
    return full + partial * target  # broadcast to [B,N,N,C]


def table_loss(ent_logits, rel_logits, targets, word_mask):
    """BCE summed over real cells (entity table: i <= j; relation table: all real pairs),
    divided by sentence length and averaged over the batch (PFN's public code). Cells a sentence's
    source does not annotate (targets["ent_mask"], ["rel_mask"]) do not count; targets["weight"]
    weighs sentences."""
    m = word_mask.float()
    pair = m.unsqueeze(2) * m.unsqueeze(1)  # [B,N,N]
    N = m.size(1)
    upper = torch.triu(torch.ones(N, N, device=m.device)).unsqueeze(0)
    ent_mask = (pair * upper).unsqueeze(-1)
    rel_mask = pair.unsqueeze(-1)
    if "ent_mask" in targets:
        ent_mask = ent_mask * targets["ent_mask"]
        rel_mask = rel_mask * targets["rel_mask"]
    ent = F.binary_cross_entropy_with_logits(ent_logits, targets["ent"], reduction="none") * ent_mask
    rel = F.binary_cross_entropy_with_logits(rel_logits, targets["rel"], reduction="none") * rel_mask
    lengths = m.sum(1).clamp(min=1.0)
    per_sentence = (ent.sum((1, 2, 3)) + rel.sum((1, 2, 3))) / lengths
    if "weight" in targets:
        per_sentence = per_sentence * targets["weight"]
    return per_sentence.mean()


def make_targets(sentences, schema, N):
    return make_table_targets(sentences, schema, N)


def loss(outputs, targets, word_mask, head=None):
    return table_loss(outputs["ent"], outputs["rel"], targets, word_mask)


def probabilities(outputs):
    return [torch.sigmoid(outputs["ent"]), torch.sigmoid(outputs["rel"])]
