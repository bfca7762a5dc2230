/**
 * Semantic tokens: each entity becomes a token whose type is its entity type's legend entry, with the
 * modifier of its assertion status (erlensNegated, ...) and erlensRelated when a shown relation uses it.
 * LSP tokens may not overlap and (without multilineTokenSupport) may not cross a line, so overlapping
 * entities from different models keep the first (earliest, then longest) and entities that wrap a line
 * are cut into one token per line.
 */
import { SemanticTokensBuilder } from 'vscode-languageserver/node';
import type { Range, SemanticTokens, SemanticTokensEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AssertionView, isShown } from '../assertion/view';
import type { DocumentAnnotations, EntityAnnotation } from '../annotations/types';
import { assertionModifierBit, RELATED_MODIFIER_BIT, tokenTypeIndex } from './tokenLegend';

function relatedEntityIds(annotations: DocumentAnnotations, view: AssertionView): Set<string> {
  const ids = new Set<string>();
  for (const r of annotations.relations) {
    if (!isShown(view, r.assertion.status)) continue;
    ids.add(r.head.id);
    ids.add(r.tail.id);
  }
  return ids;
}

/** Entities in document order with overlaps removed (earliest start wins, then the longer one). */
export function nonOverlappingEntities(entities: readonly EntityAnnotation[], textLength: number): EntityAnnotation[] {
  const sorted = entities
    .filter((e) => e.start >= 0 && e.end > e.start && e.end <= textLength)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: EntityAnnotation[] = [];
  let lastEnd = -1;
  for (const e of sorted) {
    if (e.start < lastEnd) continue;
    kept.push(e);
    lastEnd = e.end;
  }
  return kept;
}

/**
 * Encodes the entities of `annotations` (in the coordinates of `document`) as LSP semantic tokens,
 * optionally only those touching `range`.
 */
export function buildSemanticTokens(document: TextDocument, annotations: DocumentAnnotations | undefined, range?: Range, view: AssertionView = 'all'): SemanticTokens {
  const builder = new SemanticTokensBuilder();
  if (!annotations) return builder.build();
  const text = document.getText();
  const from = range ? document.offsetAt(range.start) : 0;
  const to = range ? document.offsetAt(range.end) : text.length;
  const related = relatedEntityIds(annotations, view);
  for (const entity of nonOverlappingEntities(annotations.entities, text.length)) {
    if (entity.end <= from || entity.start >= to) continue;
    const type = tokenTypeIndex(entity.type);
    const modifiers = (related.has(entity.id) ? RELATED_MODIFIER_BIT : 0) | assertionModifierBit(entity.assertion?.status ?? 'present');
    // One token per line the entity covers; line breaks (\n, \r\n, \r) are not part of any token.
    let segmentStart = entity.start;
    for (let i = entity.start; i <= entity.end; i++) {
      const atEnd = i === entity.end;
      const ch = atEnd ? '' : text[i];
      if (atEnd || ch === '\n' || ch === '\r') {
        if (i > segmentStart) {
          const pos = document.positionAt(segmentStart);
          builder.push(pos.line, pos.character, i - segmentStart, type, modifiers);
        }
        segmentStart = i + 1;
      }
    }
  }
  return builder.build();
}

/**
 * The edit that turns one token array into another: the common prefix and suffix stay, the middle is
 * replaced. An edit in a long note changes the tokens of its own lines (the encoding is relative to
 * the previous token), so the editor gets a few numbers instead of the whole document's tokens.
 */
export function semanticTokensEdits(previous: readonly number[], next: readonly number[]): SemanticTokensEdit[] {
  const n = Math.min(previous.length, next.length);
  let prefix = 0;
  while (prefix < n && previous[prefix] === next[prefix]) prefix++;
  if (prefix === previous.length && prefix === next.length) return [];
  let suffix = 0;
  while (suffix < n - prefix && previous[previous.length - 1 - suffix] === next[next.length - 1 - suffix]) suffix++;
  return [{ start: prefix, deleteCount: previous.length - prefix - suffix, data: next.slice(prefix, next.length - suffix) }];
}
