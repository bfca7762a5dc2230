/**
 * How much a model marks per sentence, whatever the gold says.
 *
 * On data with no gold relations (ade_neg: sentences that state no adverse effect; clinical notes)
 * precision and recall say nothing, and what a user feels is the rate of marks that should not be
 * there: relations and entities per 100 sentences, and the share of sentences with any relation.
 */
import { entityKey, KeyedSentence, relationKey } from './metrics';

export interface FalseAlarms {
  sentences: number;
  predicted_entities: number;
  predicted_relations: number;
  entities_per_100_sentences: number;
  relations_per_100_sentences: number;
  sentences_with_relation: number;
  /** sentences_with_relation / sentences, 0..1. */
  share_sentences_with_relation: number;
}

/** Rates over predicted units; items are deduplicated as the scorer does. */
export function falseAlarms(predicted: readonly KeyedSentence[]): FalseAlarms {
  let entities = 0;
  let relations = 0;
  let withRelation = 0;
  for (const s of predicted) {
    entities += new Set(s.entities.map(entityKey)).size;
    const r = new Set(s.relations.map((x) => relationKey(x))).size;
    relations += r;
    if (r > 0) withRelation++;
  }
  const n = predicted.length;
  const per100 = (x: number) => (n ? (100 * x) / n : 0);
  return {
    sentences: n,
    predicted_entities: entities,
    predicted_relations: relations,
    entities_per_100_sentences: per100(entities),
    relations_per_100_sentences: per100(relations),
    sentences_with_relation: withRelation,
    share_sentences_with_relation: n ? withRelation / n : 0,
  };
}

export function falseAlarmLine(f: FalseAlarms): string {
  return (
    `predicted per 100 sentences: ${f.relations_per_100_sentences.toFixed(2)} relations, ${f.entities_per_100_sentences.toFixed(2)} entities; ` +
    `${(100 * f.share_sentences_with_relation).toFixed(2)}% of sentences have a relation`
  );
}
