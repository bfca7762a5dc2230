"""Targets, loss and output probabilities for the softmax tag + table models (Table-Sequence, TablERT-CNN), models.md §1.3, §2.2.

Tag ids: 0 = O, then one block per entity type in schema order: BIO -> B, I; BILOU -> B, I, L, U.
Relation cell ids: 0 = no relation, 1 + 2r = r forward (row word in the subject), 2 + 2r = r backward.
A softmax cell holds one label and a tag sequence cannot hold overlapping entities: the first entity
wins (by start, longer first), the rest stay in the gold data and count as misses when scoring.
"""
import torch
import torch.nn.functional as F

IGNORE = -100
PREFIXES = {"BIO": ("B", "I"), "BILOU": ("B", "I", "L", "U")}


def tag_names(schema, scheme):
    return ["O"] + ["%s-%s" % (p, t) for t in schema.entity_types for p in PREFIXES[scheme]]


def relation_labels(schema):
    names = ["NONE"]
    for r in schema.relation_types:
        names += [r + ">", r + "<"]
    return names


def flat_entities(sentence, n):
    """Indices of the entities a tag sequence can hold: non-overlapping, earliest (then longest) first."""
    order = sorted(range(len(sentence.entities)),
                   key=lambda k: (sentence.entities[k][0], -sentence.entities[k][1]))
    taken = [False] * n
    kept = []
    for k in order:
        s, e, _ = sentence.entities[k]
        if e <= n and not any(taken[s:e]):
            kept.append(k)
            for i in range(s, e):
                taken[i] = True
    return kept


def word_tags(sentence, schema, scheme, n, kept):
    width = len(PREFIXES[scheme])
    tags = [0] * n
    for k in kept:
        s, e, t = sentence.entities[k]
        if t not in schema.ent_index:
            continue
        base = 1 + width * schema.ent_index[t]
        if scheme == "BIO":
            tags[s] = base
            for i in range(s + 1, e):
                tags[i] = base + 1
        elif e - s == 1:
            tags[s] = base + 3  # U
        else:
            tags[s] = base
            for i in range(s + 1, e - 1):
                tags[i] = base + 1
            tags[e - 1] = base + 2  # L
    return tags


def make_tag_table_targets(sentences, schema, N, scheme, full_grid):
    """full_grid=True (Table-Sequence): every (subject word, object word) cell gets r-forward and its
    mirror r-backward. False (TablERT-CNN): upper triangle only, r-forward when the subject word comes
    first. Cells a model is not trained on are IGNORE."""
    B = len(sentences)
    tags = torch.full((B, N), IGNORE, dtype=torch.long)
    table = torch.full((B, N, N), IGNORE, dtype=torch.long)
    for b, s in enumerate(sentences):
        n = min(len(s.tokens), N)
        kept = flat_entities(s, n)
        tags[b, :n] = torch.tensor(word_tags(s, schema, scheme, n, kept), dtype=torch.long)
        cells = torch.zeros(n, n, dtype=torch.long)
        kept_set = set(kept)
        for h, t, rtype in s.relations:
            if h not in kept_set or t not in kept_set or rtype not in schema.rel_index:
                continue
            fwd, bwd = 1 + 2 * schema.rel_index[rtype], 2 + 2 * schema.rel_index[rtype]
            hs, he, _ = s.entities[h]
            ts, te, _ = s.entities[t]
            for i in range(hs, he):
                for j in range(ts, te):
                    if full_grid:
                        if cells[i, j] == 0:
                            cells[i, j] = fwd
                        if cells[j, i] == 0:
                            cells[j, i] = bwd
                    elif i < j and cells[i, j] == 0:
                        cells[i, j] = fwd
                    elif j < i and cells[j, i] == 0:
                        cells[j, i] = bwd
        if full_grid:
            keep = ~torch.eye(n, dtype=torch.bool)
        else:
            keep = torch.ones(n, n, dtype=torch.bool).triu(1)
        table[b, :n, :n] = torch.where(keep, cells, torch.full_like(cells, IGNORE))
    return {"tags": tags, "table": table}


def tag_table_loss(tag_logits, table_logits, targets):
    """CE summed over the labelled words and cells of each sentence, averaged over the batch."""
    B = tag_logits.size(0)
    tag_loss = F.cross_entropy(tag_logits.reshape(-1, tag_logits.size(-1)), targets["tags"].reshape(-1),
                               ignore_index=IGNORE, reduction="sum")
    table_loss = F.cross_entropy(table_logits.reshape(-1, table_logits.size(-1)), targets["table"].reshape(-1),
                                 ignore_index=IGNORE, reduction="sum")
    return (tag_loss + table_loss) / B


def loss(outputs, targets, word_mask, head=None):
    return tag_table_loss(outputs["tags"], outputs["table"], targets)


def probabilities(outputs):
    return [torch.softmax(outputs["tags"], -1), torch.softmax(outputs["table"], -1)]
