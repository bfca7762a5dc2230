/**
 * Relation argument types: a relation whose arguments' types its training data never joined with
 * that relation type is dropped (model.json `relation_arguments`, written by export from the
 * training data). Applied to every decoder family's output, after windows are merged; the Python
 * twin is `erlens_train.decode.constrain`. Packages without the field are not constrained.
 */
import type { SentenceResult } from './types';

/** relation type -> allowed [head type, tail type] pairs. */
export type RelationArguments = Record<string, ReadonlyArray<readonly [string, string] | readonly string[]>>;

export function allows(args: RelationArguments | undefined, symmetric: ReadonlySet<string>, rel: string, head: string, tail: string): boolean {
  const pairs = args?.[rel];
  if (!pairs) return true;
  return pairs.some(([h, t]) => (h === head && t === tail) || (symmetric.has(rel) && h === tail && t === head));
}

export function constrainRelations(result: SentenceResult, args: RelationArguments | undefined, symmetric: readonly string[] = []): SentenceResult {
  if (!args) return result;
  const sym = new Set(symmetric);
  const relations = result.relations.filter((r) => allows(args, sym, r.type, result.entities[r.head].type, result.entities[r.tail].type));
  return relations.length === result.relations.length ? result : { entities: result.entities, relations };
}
