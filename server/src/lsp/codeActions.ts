/**
 * textDocument/codeAction: corrections of the entities and relations under the cursor, as quick fixes
 * (grammar checkers offer "add to dictionary" the same way). Each action runs the server command
 * erlens.correct (corrections.ts) with what it changes; nothing is changed by merely listing them.
 *
 *  - on an entity: "not an entity", "change type to T" (the types of the package that found it),
 *    "ignore '<text>' everywhere", and "add relation" to each other entity of its sentence, for the
 *    relation types whose training data allows those argument types (model.json relation_arguments);
 *  - on a relation's argument: "not a relation".
 */
import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { relationRefOf, spanRefOf } from '../corrections/store';
import type { Correction } from '../corrections/types';
import { CORRECT_COMMAND } from './protocol';
import type { CorrectionArguments } from './protocol';

/** What the installed packages allow: entity types per package, relation types with their argument pairs. */
export interface CorrectionVocabulary {
  entityTypes(model: string): readonly string[];
  relationTypes(model: string): readonly { type: string; arguments?: readonly (readonly string[])[] }[];
}

/** Few enough to read in a light-bulb menu: the nearest other entities of a long sentence. */
const MAX_RELATION_PARTNERS = 6;

function overlaps(e: EntityAnnotation, start: number, end: number): boolean {
  return start === end ? e.start <= start && start <= e.end : e.start < end && start < e.end;
}

const quote = (text: string) => `'${text.length > 40 ? text.slice(0, 39) + '…' : text}'`;

function action(title: string, args: CorrectionArguments, preferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, command: { title, command: CORRECT_COMMAND, arguments: [args] }, ...(preferred ? { isPreferred: true } : {}) };
}

export function buildCodeActions(document: TextDocument, annotations: DocumentAnnotations | undefined, range: Range, vocabulary: CorrectionVocabulary): CodeAction[] {
  if (!annotations || annotations.skipped) return [];
  const text = document.getText();
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  const sentences = new Map(annotations.sentences.map((s) => [s.index, s]));
  const { uri } = document;
  const out: CodeAction[] = [];
  const fix = (e: EntityAnnotation | RelationAnnotation, correction: Correction) => {
    const s = sentences.get(e.sentence)!;
    return { uri, sentence: text.slice(s.start, s.end), correction };
  };

  for (const e of annotations.entities) {
    if (!overlaps(e, start, end) || !sentences.has(e.sentence) || e.end > text.length) continue;
    const s = sentences.get(e.sentence)!;
    const ref = spanRefOf(e, s.start);
    out.push(action(`ERlens: ${quote(e.text)} is not ${e.type}`, fix(e, { kind: 'not-entity', entity: ref }), true));
    for (const type of vocabulary.entityTypes(e.model)) {
      if (type !== e.type) out.push(action(`ERlens: change ${quote(e.text)} to ${type}`, fix(e, { kind: 'retype-entity', entity: ref, type })));
    }
    out.push(action(`ERlens: ignore ${quote(e.text)} everywhere`, { uri, ignore: e.text }));
    const partners = annotations.entities
      .filter((o) => o !== e && o.sentence === e.sentence)
      .sort((a, b) => Math.abs(a.start - e.start) - Math.abs(b.start - e.start))
      .slice(0, MAX_RELATION_PARTNERS);
    const related = (h: EntityAnnotation, t: EntityAnnotation, type: string) => annotations.relations.some((r) => r.type === type && r.head === h && r.tail === t);
    for (const { type, arguments: allowed } of vocabulary.relationTypes(e.model)) {
      for (const other of partners) {
        for (const [head, tail] of [[e, other], [other, e]] as const) {
          const fits = !allowed || allowed.some(([h, t]) => h === head.type && t === tail.type);
          if (!fits || related(head, tail, type)) continue;
          const relation = { head: spanRefOf(head, s.start), tail: spanRefOf(tail, s.start), type };
          out.push(action(`ERlens: add relation ${quote(head.text)} → ${type} → ${quote(tail.text)}`, fix(e, { kind: 'add-relation', relation })));
        }
      }
    }
  }
  for (const r of annotations.relations) {
    if (!(overlaps(r.head, start, end) || overlaps(r.tail, start, end)) || !sentences.has(r.sentence)) continue;
    const s = sentences.get(r.sentence)!;
    out.push(action(`ERlens: not a relation: ${quote(r.head.text)} → ${r.type} → ${quote(r.tail.text)}`, fix(r, { kind: 'not-relation', relation: relationRefOf(r, s.start) })));
  }
  return out;
}
