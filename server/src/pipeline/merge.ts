/**
 * The models' word results for one sentence -> its entities and relations at character offsets.
 *
 * The same (span, type) from two models is one entity with the higher score (and that model's name).
 * Where two models disagree about the same words (overlapping spans, different types: "MiraLax" a
 * Drug to the clinical model and a Loc to the news model, "XXXX" a Drug and a Loc), one word cannot be
 * two things to a reader and the editor can colour it only once: the entity with the higher score wins
 * and the other goes, with the relations that used it (`resolveModelConflicts`). Overlaps within one
 * model are its own decoder's decision and stay. Relations are keyed by both arguments and the type.
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
  const producers = new Map<EntityAnnotation, Set<string>>();
  for (const { model, symmetric, result } of results) {
    const local: EntityAnnotation[] = result.entities.map((e) => {
      const start = tokens[e.start].start;
      const end = tokens[e.end - 1].end;
      const key = `${start}:${end}:${e.type}`;
      const known = entities.get(key);
      if (known) {
        if (e.score > known.score) Object.assign(known, { score: e.score, model });
        producers.get(known)!.add(model);
        return known;
      }
      const ann: EntityAnnotation = { id: '', type: e.type, start, end, text: detach(text.slice(start, end)), score: e.score, model, sentence, assertion: PRESENT };
      entities.set(key, ann);
      producers.set(ann, new Set([model]));
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
  const beaten = results.length > 1 ? resolveModelConflicts([...entities.values()], producers) : new Set<EntityAnnotation>();
  const sorted = [...entities.values()].filter((e) => !beaten.has(e)).sort((a, b) => a.start - b.start || a.end - b.end || a.type.localeCompare(b.type) || a.model.localeCompare(b.model));
  const order = new Map(sorted.map((e, i) => [e, i]));
  const rels = [...relations.values()].filter((r) => !beaten.has(r.head) && !beaten.has(r.tail)).sort((a, b) => order.get(a.head)! - order.get(b.head)! || order.get(a.tail)! - order.get(b.tail)! || a.type.localeCompare(b.type));
  return { entities: sorted, relations: rels };
}

/**
 * The entities that lose to another model's entity on the same words: overlapping, of another type, and
 * found by none of the same models. The higher score wins; on a tie the earlier entity (first model,
 * then position) stays. Resolved strongest first, so an entity beaten by one that is itself beaten
 * still goes, and a winner never depends on the order the models ran in.
 */
function resolveModelConflicts(entities: readonly EntityAnnotation[], producers: ReadonlyMap<EntityAnnotation, ReadonlySet<string>>): Set<EntityAnnotation> {
  const beaten = new Set<EntityAnnotation>();
  const strongestFirst = entities.map((e, i) => ({ e, i })).sort((a, b) => b.e.score - a.e.score || a.i - b.i);
  const kept: EntityAnnotation[] = [];
  for (const { e } of strongestFirst) {
    const mine = producers.get(e)!;
    const rival = kept.some((k) => k.type !== e.type && k.start < e.end && e.start < k.end && !sharesModel(mine, producers.get(k)!));
    if (rival) beaten.add(e);
    else kept.push(e);
  }
  return beaten;
}

function sharesModel(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const m of a) if (b.has(m)) return true;
  return false;
}

/** Ids in document order: T1, T2, … for entities and R1, R2, … for relations (mutates the objects). */
export function numberAnnotations(entities: readonly EntityAnnotation[], relations: readonly RelationAnnotation[]): void {
  entities.forEach((e, i) => (e.id = `T${i + 1}`));
  relations.forEach((r, i) => (r.id = `R${i + 1}`));
}
