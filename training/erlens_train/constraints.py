"""Relation argument constraints, applied after every decoder family (twin of server/src/decoders/constraints.ts)."""


def constrain(entities, relations, schema):
    """Drop relations whose argument types the training data never joined with that relation type
    (schema.relation_arguments): a decoder never shows "Person -> Adverse-Effect -> City". Applied
    after every decoder family, in PyTorch evaluation and in the server (server/src/decoders/constraints.ts)."""
    return entities, [r for r in relations if schema.allows(r[2], entities[r[0]][2], entities[r[1]][2])]
