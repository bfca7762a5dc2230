/**
 * How an annotation reads, wherever it is shown: diagnostics, hovers and code lenses in the editor
 * (lsp/) and `erlens extract --format text` (export/textReport.ts), so a relation reads the same
 * everywhere: `rash → Adverse-Effect → amoxicillin`, head first, as the exports list it.
 */
import type { Assertion, EntityAnnotation, RelationAnnotation } from './types';

/** Entity text on one line, shortened so a 20k-character span cannot bloat a message. */
export function shortText(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** `head → Type → tail`, the triple as a reader says it; symmetric relations use ↔. `name` words an argument. */
export function describeRelation(relation: RelationAnnotation, name: (e: EntityAnnotation) => string = (e) => shortText(e.text)): string {
  const arrow = relation.symmetric ? '↔' : '→';
  return `${name(relation.head)} ${arrow} ${relation.type} ${arrow} ${name(relation.tail)}`;
}

/** "negated: 'denies'", "historical: section Past Medical History", or just the status. */
export function describeAssertion(assertion: Assertion): string {
  if (assertion.trigger) return `${assertion.status}: '${shortText(assertion.trigger.text, 40)}'`;
  if (assertion.section) return `${assertion.status}: section ${shortText(assertion.section, 40)}`;
  return assertion.status;
}
