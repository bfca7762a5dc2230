/**
 * Ranges and look-ups shared by the relation features (diagnostics, hover, code lens); their wording
 * is annotations/wording.ts's, shared with the CLI's text output.
 */
import type { Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EntityAnnotation, RelationAnnotation } from '../annotations/types';

export function entityRange(document: TextDocument, entity: EntityAnnotation): Range {
  return { start: document.positionAt(entity.start), end: document.positionAt(entity.end) };
}

/** The relations an entity takes part in, each with the other argument and the entity's role. */
export function relationsOf(entity: EntityAnnotation, relations: readonly RelationAnnotation[]): { relation: RelationAnnotation; role: 'head' | 'tail'; other: EntityAnnotation }[] {
  const out: { relation: RelationAnnotation; role: 'head' | 'tail'; other: EntityAnnotation }[] = [];
  for (const relation of relations) {
    if (sameEntity(relation.head, entity)) out.push({ relation, role: 'head', other: relation.tail });
    else if (sameEntity(relation.tail, entity)) out.push({ relation, role: 'tail', other: relation.head });
  }
  return out;
}

/** Entities are compared by id and span: ids are only unique within one annotation set. */
export function sameEntity(a: EntityAnnotation, b: EntityAnnotation): boolean {
  return a === b || (a.id === b.id && a.start === b.start && a.end === b.end);
}
