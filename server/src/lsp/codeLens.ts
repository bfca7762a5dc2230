/**
 * Code lenses: above each relation's head a lens `aspirin → Adverse-Effect → rash`; clicking it selects
 * the other argument. A sentence with more relations than `codeLens.maxPerSentence` gets one summary lens
 * that opens a pick list instead, so dense sentences stay readable.
 * The commands are client commands (package.json), which VS Code runs without a server round trip.
 * Relations the assertion view hides get no lens; a shown relation that is not present says its status
 * (`rash → Adverse-Effect → amoxicillin · negated`).
 */
import type { CodeLens } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations, RelationAnnotation } from '../annotations/types';
import { isShown } from '../assertion/view';
import type { ErlensSettings } from './settings';
import { COMMANDS } from './protocol';
import { describeRelation } from '../annotations/wording';
import { entityRange } from './relationText';
import { minOf } from '../arrays';

export const REVEAL_COMMAND = COMMANDS.revealRange;
export const PICK_RELATION_COMMAND = COMMANDS.pickRelation;

function bySentence(relations: readonly RelationAnnotation[]): Map<number, RelationAnnotation[]> {
  const groups = new Map<number, RelationAnnotation[]>();
  for (const r of relations) {
    const group = groups.get(r.sentence) ?? [];
    group.push(r);
    groups.set(r.sentence, group);
  }
  return groups;
}

/** The lens title: the triple, and the status when it is not present. */
export function lensTitle(r: RelationAnnotation): string {
  return r.assertion.status === 'present' ? describeRelation(r) : `${describeRelation(r)} · ${r.assertion.status}`;
}

export function buildCodeLenses(document: TextDocument, annotations: DocumentAnnotations | undefined, settings: ErlensSettings): CodeLens[] {
  if (!annotations || !settings.codeLensEnabled) return [];
  const textLength = document.getText().length;
  const lenses: CodeLens[] = [];
  for (const [sentence, relations] of bySentence(annotations.relations)) {
    const valid = relations
      .filter((r) => r.head.end <= textLength && r.tail.end <= textLength && isShown(settings.assertionsShow, r.assertion.status))
      .sort((a, b) => a.head.start - b.head.start || a.tail.start - b.tail.start);
    if (valid.length === 0) continue;
    if (valid.length > settings.codeLensMaxPerSentence) {
      const first = minOf(valid.map((r) => Math.min(r.head.start, r.tail.start)));
      const at = document.positionAt(first);
      lenses.push({
        range: { start: at, end: at },
        command: {
          title: `${valid.length} relations in this sentence`,
          command: PICK_RELATION_COMMAND,
          arguments: [document.uri, valid.map((r) => ({ label: lensTitle(r), detail: `${r.head.type} → ${r.tail.type} · ${r.score.toFixed(2)} · ${r.model}`, range: entityRange(document, r.tail) }))],
        },
        data: { sentence },
      });
      continue;
    }
    for (const r of valid) {
      lenses.push({
        range: entityRange(document, r.head),
        command: { title: lensTitle(r), command: REVEAL_COMMAND, arguments: [document.uri, entityRange(document, r.tail)] },
        data: { relation: r.id },
      });
    }
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
