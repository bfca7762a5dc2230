/**
 * Hover on an entity: its type, assertion status with the trigger or section that set it ("negated:
 * 'denies'"), score and model, and every relation it takes part in with the other argument's text and
 * the relation's status. Where entities from several models overlap, all of them are shown (innermost
 * first). Hidden relations (erlens.assertions.show) are listed too: the hover is where to see them. A
 * plain present (no trigger or section said otherwise) goes unsaid, as on the code lenses.
 */
import { MarkupKind } from 'vscode-languageserver/node';
import type { Hover, Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Assertion, DocumentAnnotations, EntityAnnotation } from '../annotations/types';
import { describeAssertion, shortText } from '../annotations/wording';
import { entityRange, relationsOf } from './relationText';

/** Entities containing `offset` (start inclusive, end inclusive so the caret just after a word counts). */
export function entitiesAt(annotations: DocumentAnnotations, offset: number): EntityAnnotation[] {
  return annotations.entities
    .filter((e) => e.start <= offset && offset <= e.end && e.end > e.start)
    .sort((a, b) => a.end - a.start - (b.end - b.start));
}

const isPlainPresent = (a: Assertion) => a.status === 'present' && !a.trigger && !a.section;

/** Escapes Markdown so entity text from the document cannot inject links or formatting into the hover. */
function md(text: string): string {
  return text.replace(/[\\`*_{}\[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

function entityMarkdown(entity: EntityAnnotation, annotations: DocumentAnnotations): string {
  // A plain present (no trigger, no section: nothing said otherwise) goes unsaid, as on the lenses.
  const status = isPlainPresent(entity.assertion) ? '' : ` — ${md(describeAssertion(entity.assertion))}`;
  const lines = [`**${md(entity.type)}** \`${shortText(entity.text).replace(/`/g, "'")}\`${status} — score ${entity.score.toFixed(2)} · model ${md(entity.model)}`];
  const links = relationsOf(entity, annotations.relations);
  if (links.length > 0) {
    lines.push('', 'Relations:');
    for (const { relation, role, other } of links) {
      const arrow = relation.symmetric ? '↔' : role === 'head' ? '→' : '←';
      const status = isPlainPresent(relation.assertion) ? '' : ` — ${md(describeAssertion(relation.assertion))}`;
      lines.push(`- ${arrow} **${md(relation.type)}** ${arrow} ${md(shortText(other.text))} (${md(other.type)}, score ${relation.score.toFixed(2)})${status}`);
    }
  }
  return lines.join('\n');
}

export function buildHover(document: TextDocument, annotations: DocumentAnnotations | undefined, position: Position): Hover | null {
  if (!annotations) return null;
  const found = entitiesAt(annotations, document.offsetAt(position));
  if (found.length === 0) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: found.map((e) => entityMarkdown(e, annotations)).join('\n\n---\n\n') },
    range: entityRange(document, found[0]),
  };
}
