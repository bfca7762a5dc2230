/**
 * Annotations as a person reads them (`erlens extract --format text`, what `npm run demo` prints):
 * per document, each sentence that has entities, its entities with type and assertion status, then its
 * relations as head → type → tail. Entities and relations keep the document's order, which is the
 * order of the exports and of the code lenses (relations by head, then tail). Not an export format:
 * nothing parses it, and the editor's export command does not offer it.
 */
import type { EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { describeAssertion, describeRelation, shortText } from '../annotations/wording';
import type { ExportDocument } from './exportDocument';
import { appendAll, maxOf } from '../arrays';

/** A sentence is shown on one line, shortened to this many characters. */
const SENTENCE_CHARS = 160;

export interface TextReportOptions {
  /** The heading of a document (default: its path, else its URI). */
  label?(doc: ExportDocument): string;
}

export function toTextReport(docs: readonly ExportDocument[], options: TextReportOptions = {}): string {
  return docs.map((doc) => documentReport(doc, options.label?.(doc) ?? doc.path ?? doc.annotations.uri)).join('\n');
}

function documentReport({ annotations: a }: ExportDocument, label: string): string {
  const models = a.stats.models.length ? ` (${a.stats.models.join(', ')})` : '';
  const lines = [`${label}: ${count(a.stats.sentences, 'sentence')}, ${count(a.entities.length, 'entity', 'entities')}, ${count(a.relations.length, 'relation')}${models}`];
  if (a.skipped) lines.push(`  not analysed: ${a.skipped}`);
  else if (a.entities.length === 0) lines.push('  no entities found');
  const entitiesOf = groupBySentence(a.entities);
  const relationsOf = groupBySentence(a.relations);
  const sentenceText = new Map(a.sentences.map((s) => [s.index, s.text]));
  // Sentences in document order; a relation's sentence always has its entities, so entities decide.
  for (const [index, entities] of [...entitiesOf].sort(([x], [y]) => x - y)) {
    const text = sentenceText.get(index);
    lines.push('', `  [${index}] ${text === undefined ? '' : shortText(text, SENTENCE_CHARS)}`.trimEnd());
    const name = entityNames(entities);
    appendAll(lines, aligned(entities.map((e) => ['    ' + name(e), e.type, describeAssertion(e.assertion)])));
    const relations = relationsOf.get(index) ?? [];
    if (relations.length) appendAll(lines, aligned(relations.map((r) => ['    ' + describeRelation(r, name), describeAssertion(r.assertion), r.score.toFixed(2)])));
  }
  return lines.join('\n') + '\n';
}

/**
 * An entity's words, with its offset in the file (`haloperidol@150`) when another span of the sentence
 * has the same words: "he took haloperidol ... after haloperidol was stopped" has two relations that
 * would otherwise read alike.
 */
function entityNames(entities: readonly EntityAnnotation[]): (e: EntityAnnotation) => string {
  const spans = new Map<string, Set<number>>();
  for (const e of entities) {
    const words = shortText(e.text);
    spans.set(words, (spans.get(words) ?? new Set()).add(e.start));
  }
  return (e) => {
    const words = shortText(e.text);
    return (spans.get(words)?.size ?? 0) > 1 ? `${words}@${e.start}` : words;
  };
}

function groupBySentence<T extends EntityAnnotation | RelationAnnotation>(items: readonly T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(item.sentence);
    if (group) group.push(item);
    else groups.set(item.sentence, [item]);
  }
  return groups;
}

/** Rows as columns padded to the widest cell (the last column is not padded). */
function aligned(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => maxOf(rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join('  '));
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
