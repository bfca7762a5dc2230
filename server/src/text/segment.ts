/**
 * Document text + language -> sentences and headings with word tokens, in document coordinates (UTF-16).
 *
 * Markdown is reduced to prose first (markdown.ts); other languages are read as plain text
 * (plainText.ts). Each prose block is then cut into segments by blockSegments.ts: at line breaks that
 * are not soft wraps, around clinical section labels, between list items, at sentence ends, and so that
 * no segment has more than MAX_SENTENCE_WORDS words. Markdown headings and section labels come out with
 * kind 'heading', everything else with kind 'sentence'.
 *
 * Every token's `text` equals `documentText.slice(token.start, token.end)`; CRLF and lone CR line
 * endings are line breaks like `\n`. Segments are in document order and never overlap. Nothing but
 * markup is left out: in plain text only list markers ("- ", "1. ") are not part of a segment's words.
 */
import type { SentenceSpan, WordToken } from '../pipeline/types';
import { LRUCache } from 'lru-cache';
import { blockSegments, Segment } from './blockSegments';
import { markdownProse, ProseKind, ProseView } from './markdown';
import { plainTextProse } from './plainText';
import { RawToken, tokenizeWords } from './wordTokenizer';

export { MAX_SENTENCE_WORDS } from './longSentences';

export type SegmentLanguage = 'markdown' | 'plaintext';

export function languageOf(languageId: string | undefined): SegmentLanguage {
  return languageId === 'markdown' ? 'markdown' : 'plaintext';
}

export function proseOf(text: string, languageId: string | undefined): ProseView {
  return languageOf(languageId) === 'markdown' ? markdownProse(text) : plainTextProse(text);
}

/** Tokens and segments of one block, relative to the block's start. */
interface BlockSegmentation {
  tokens: RawToken[];
  segments: Segment[];
}

// Re-segmenting a long document after every edit is dominated by word tokenisation; almost every block
// is unchanged by an edit, so blocks are remembered by their kind, column and (masked) text.
const blockCache = new LRUCache<string, BlockSegmentation>({ max: 100_000 });

function segmentBlock(kind: ProseKind, blockText: string, firstColumn: number): BlockSegmentation {
  const key = `${kind}\u0000${firstColumn}\u0000${blockText}`;
  const known = blockCache.get(key);
  if (known) return known;
  const tokens = tokenizeWords(blockText);
  const seg = { tokens, segments: blockSegments(kind, blockText, tokens, firstColumn) };
  if (blockText.length < 100_000) blockCache.set(key, seg);
  return seg;
}

/** The column of `pos` in its line (line widths matter for telling soft wraps from line ends). */
function columnOf(text: string, pos: number): number {
  let i = pos;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return pos - i;
}

export function segmentDocument(text: string, languageId?: string): SentenceSpan[] {
  const { masked, blocks } = proseOf(text, languageId);
  const sentences: SentenceSpan[] = [];
  for (const block of blocks) {
    const column = block.kind === 'paragraph' || block.kind === 'listItem' ? columnOf(masked, block.start) : 0;
    const { tokens: raw, segments } = segmentBlock(block.kind, masked.slice(block.start, block.end), column);
    const shift = block.start;
    for (const { start: a, end: b, kind } of segments) {
      const tokens: WordToken[] = new Array(b - a);
      for (let k = a; k < b; k++) tokens[k - a] = { text: raw[k].text, start: raw[k].start + shift, end: raw[k].end + shift };
      const start = tokens[0].start;
      const end = tokens[tokens.length - 1].end;
      sentences.push({ index: sentences.length, text: masked.slice(start, end), start, end, tokens, kind });
    }
  }
  return sentences;
}
