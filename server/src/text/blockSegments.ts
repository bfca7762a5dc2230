/**
 * The word tokens of one prose block -> its segments (sentences and headings), as token ranges.
 *
 * The steps, each in its own module and each linear in the block's length:
 *  1. line breaks end statements unless a line is soft-wrapped (lineUnits.ts);
 *  2. section labels become headings and start a new sentence after them (labels.ts);
 *  3. inline numbered items, and comma lists after a medication label, are items of their own (lists.ts);
 *  4. punctuation ends sentences (sentences.ts);
 *  5. nothing is longer than MAX_SENTENCE_WORDS (longSentences.ts);
 *  6. an abbreviation that ends a sentence gives up its period ("born in Chisholm, Minn." -> "Minn" ".").
 * A Markdown heading is one heading segment and a table cell one sentence, however they are punctuated
 * (cut only for length).
 */
import { findLabels } from './labels';
import { lineUnits } from './lineUnits';
import { medicationItems, numberedItems } from './lists';
import { capLength } from './longSentences';
import type { ProseKind } from './markdown';
import { sentenceRanges } from './sentences';
import { isKeptAbbreviation, tokenizeWords } from './wordTokenizer';
import type { RawToken } from './wordTokenizer';

export type SegmentKind = 'sentence' | 'heading';

export interface Segment {
  start: number; // token indices [start, end) into the block's tokens
  end: number;
  kind: SegmentKind;
}

/** Tokens and segments of one block's (masked) text, relative to the block's start. */
export function segmentBlock(kind: ProseKind, blockText: string, firstColumn: number): { tokens: RawToken[]; segments: Segment[] } {
  const tokens = tokenizeWords(blockText);
  return splitFinalAbbreviations(tokens, blockSegments(kind, blockText, tokens, firstColumn));
}

/**
 * The tokenizer keeps "Minn." whole (a name's abbreviation) except at the end of the text, where the
 * period also ends the sentence and is a token of its own, as the datasets write it ("Chisholm , Minn
 * ."). Training tokenises each sentence as a text of its own, so there every sentence-final
 * abbreviation is split; in a document a sentence ends inside the text, so the same split is made here,
 * once segmentation knows where sentences end (else "Chisholm, Minn." is a span no model ever saw).
 */
function splitFinalAbbreviations(tokens: RawToken[], segments: Segment[]): { tokens: RawToken[]; segments: Segment[] } {
  const split = new Set(segments.filter((s) => s.kind === 'sentence' && isKeptAbbreviation(tokens[s.end - 1].text)).map((s) => s.end - 1));
  if (split.size === 0) return { tokens, segments };
  const out: RawToken[] = [];
  const moved: number[] = []; // old token index -> new index
  tokens.forEach((t, i) => {
    moved.push(out.length);
    if (split.has(i)) out.push({ text: t.text.slice(0, -1), start: t.start, end: t.end - 1 }, { text: '.', start: t.end - 1, end: t.end });
    else out.push(t);
  });
  moved.push(out.length);
  return { tokens: out, segments: segments.map((s) => ({ ...s, start: moved[s.start], end: moved[s.end] })) };
}

export function blockSegments(kind: ProseKind, text: string, tokens: readonly RawToken[], firstColumn: number): Segment[] {
  const out: Segment[] = [];
  const emit = (a: number, b: number, k: SegmentKind) => {
    for (const [s, e] of capLength(tokens, a, b)) out.push({ start: s, end: e, kind: k });
  };
  if (tokens.length === 0) return out;
  if (kind === 'heading' || kind === 'tableCell') {
    emit(0, tokens.length, kind === 'heading' ? 'heading' : 'sentence');
    return out;
  }
  for (const [ua, ub] of lineUnits(text, tokens, firstColumn)) {
    let pos = ua;
    let medicationList = false;
    for (const label of [...findLabels(tokens, ua, ub), { start: ub, end: ub, medication: false }]) {
      if (label.start > pos) prose(tokens, pos, label.start, pos === ua, medicationList, emit);
      if (label.end > label.start) emit(label.start, label.end, 'heading');
      pos = label.end;
      medicationList = label.medication;
    }
  }
  return out;
}

/** The text between two labels: list items, then sentences, then (after a medication label) list parts. */
function prose(tokens: readonly RawToken[], from: number, to: number, atLineStart: boolean, medicationList: boolean, emit: (a: number, b: number, k: SegmentKind) => void): void {
  for (const [ia, ib] of numberedItems(tokens, from, to, atLineStart)) {
    for (const [sa, sb] of sentenceRanges(tokens, ia, ib)) {
      if (!medicationList) emit(sa, sb, 'sentence');
      else for (const [ma, mb] of medicationItems(tokens, sa, sb)) emit(ma, mb, 'sentence');
    }
  }
}
