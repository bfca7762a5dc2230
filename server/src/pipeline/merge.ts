/**
 * The models' word results for one sentence -> its entities and relations at character offsets.
 *
 * Entities of different models are all kept; the same (span, type) from two models is one entity with
 * the higher score (and that model's name). Relations likewise, keyed by both arguments and the type.
 * Entities never cross a sentence, so merging sentence by sentence and concatenating in document order
 * gives exactly the merge of the whole document: that is what lets an edit re-merge only the sentences
 * it changed.
 */
import { detach } from '../text/detach';
import type { EntityAnnotation, RelationAnnotation } from '../annotations/types';
import type { SentenceResult } from '../decoders/types';
import type { WordToken } from '../text/types';

/** A model's result for the sentence, with what the merge needs to know about the model. */
export interface ModelResult {
  model: string;
  symmetric: ReadonlySet<string>;
  result: SentenceResult;
}

/** Until the tagger has run (it replaces this on every annotation). */
export const PRESENT = Object.freeze({ status: 'present' }) as EntityAnnotation['assertion'];

/**
 * Entities and relations of one sentence, sorted as the document's lists are (entities by start, end,
 * type, model; relations by head, tail, type). Offsets are those of `tokens`; `text` is the text the
 * offsets count in (any text holding the sentence at those offsets), `sentence` its index.
 */
export function mergeSentence(text: string, tokens: readonly WordToken[], sentence: number, results: readonly ModelResult[]): { entities: EntityAnnotation[]; relations: RelationAnnotation[] } {
  const entities = new Map<string, EntityAnnotation>();
  const relations = new Map<string, RelationAnnotation>();
  for (const { model, symmetric, result } of results) {
    const local: EntityAnnotation[] = result.entities.map((e) => {
      const start = tokens[e.start].start;
      const end = tokens[e.end - 1].end;
      const key = `${start}:${end}:${e.type}`;
      const known = entities.get(key);
      if (known) {
        if (e.score > known.score) Object.assign(known, { score: e.score, model });
        return known;
      }
      const ann: EntityAnnotation = { id: '', type: e.type, start, end, text: detach(text.slice(start, end)), score: e.score, model, sentence, assertion: PRESENT };
      entities.set(key, ann);
      return ann;
    });
    for (const rel of result.relations) {
      const head = local[rel.head];
      const tail = local[rel.tail];
      const key = `${head.start}:${head.end}:${head.type}>${tail.start}:${tail.end}:${tail.type}>${rel.type}`;
      const known = relations.get(key);
      if (known) {
        if (rel.score > known.score) Object.assign(known, { score: rel.score, model });
        continue;
      }
      relations.set(key, { id: '', type: rel.type, head, tail, score: rel.score, model, sentence, symmetric: symmetric.has(rel.type), assertion: PRESENT });
    }
  }
  const sorted = [...entities.values()].sort((a, b) => a.start - b.start || a.end - b.end || a.type.localeCompare(b.type) || a.model.localeCompare(b.model));
  const order = new Map(sorted.map((e, i) => [e, i]));
  const rels = [...relations.values()].sort((a, b) => order.get(a.head)! - order.get(b.head)! || order.get(a.tail)! - order.get(b.tail)! || a.type.localeCompare(b.type));
  return { entities: sorted, relations: rels };
}

/** Ids in document order: T1, T2, … for entities and R1, R2, … for relations (mutates the objects). */
export function numberAnnotations(entities: readonly EntityAnnotation[], relations: readonly RelationAnnotation[]): void {
  entities.forEach((e, i) => (e.id = `T${i + 1}`));
  relations.forEach((r, i) => (r.id = `R${i + 1}`));
}
