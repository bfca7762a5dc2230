/**
 * Wording and ranges shared by the relation features (diagnostics, hover, code lens), so a relation
 * reads the same everywhere: `aspirin → Adverse-Effect → rash`.
 */
import type { Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Assertion, EntityAnnotation, RelationAnnotation } from '../annotations/types';

/** Entity text on one line, shortened so a 20k-character span cannot bloat a message. */
export function shortText(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** `head → Type → tail`, the triple as a reader says it; symmetric relations use ↔. */
export function describeRelation(relation: RelationAnnotation): string {
  const arrow = relation.symmetric ? '↔' : '→';
  return `${shortText(relation.head.text)} ${arrow} ${relation.type} ${arrow} ${shortText(relation.tail.text)}`;
}

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

/** "negated: 'denies'", "historical: section Past Medical History", or just the status. */
export function describeAssertion(assertion: Assertion): string {
  if (assertion.trigger) return `${assertion.status}: '${shortText(assertion.trigger.text, 40)}'`;
  if (assertion.section) return `${assertion.status}: section ${shortText(assertion.section, 40)}`;
  return assertion.status;
}
