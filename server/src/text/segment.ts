/**
 * Document text + language -> sentences with word tokens, in document coordinates (UTF-16).
 *
 * Markdown is reduced to prose first (markdown.ts); other languages are read as plain text.
 * Every token's `text` equals `documentText.slice(token.start, token.end)`; CRLF and lone CR line
 * endings are whitespace like any other. Sentences are never cut for length here: a long one is
 * returned whole and the model layer splits it into overlapping windows (server/src/model/windows.ts).
 */
import type { SentenceSpan, WordToken } from '../pipeline/types';
import { LRUCache } from 'lru-cache';
import { markdownProse, ProseKind, ProseView } from './markdown';
import { plainTextProse } from './plainText';
import { sentenceRanges } from './sentences';
import { RawToken, tokenizeWords } from './wordTokenizer';

export type SegmentLanguage = 'markdown' | 'plaintext';

export function languageOf(languageId: string | undefined): SegmentLanguage {
  return languageId === 'markdown' ? 'markdown' : 'plaintext';
}

export function proseOf(text: string, languageId: string | undefined): ProseView {
  return languageOf(languageId) === 'markdown' ? markdownProse(text) : plainTextProse(text);
}

/** Tokens and sentence ranges of one block, relative to the block's start. */
interface BlockSegmentation {
  tokens: RawToken[];
  ranges: Array<[number, number]>;
}

// Re-segmenting a long document after every edit is dominated by word tokenisation; almost every block
// is unchanged by an edit, so blocks are remembered by their kind and (masked) text.
const blockCache = new LRUCache<string, BlockSegmentation>({ max: 100_000 });

function segmentBlock(kind: ProseKind, blockText: string): BlockSegmentation {
  const key = `${kind}\u0000${blockText}`;
  const known = blockCache.get(key);
  if (known) return known;
  const tokens = tokenizeWords(blockText);
  // A heading or a table cell is one statement however it is punctuated.
  const ranges: Array<[number, number]> =
    tokens.length === 0 ? [] : kind === 'heading' || kind === 'tableCell' ? [[0, tokens.length]] : sentenceRanges(tokens);
  const seg = { tokens, ranges };
  if (blockText.length < 100_000) blockCache.set(key, seg);
  return seg;
}

export function segmentDocument(text: string, languageId?: string): SentenceSpan[] {
  const { masked, blocks } = proseOf(text, languageId);
  const sentences: SentenceSpan[] = [];
  for (const block of blocks) {
    const { tokens: raw, ranges } = segmentBlock(block.kind, masked.slice(block.start, block.end));
    const shift = block.start;
    for (const [a, b] of ranges) {
      const tokens: WordToken[] = raw.slice(a, b).map((t) => ({ text: t.text, start: t.start + shift, end: t.end + shift }));
      const start = tokens[0].start;
      const end = tokens[tokens.length - 1].end;
      sentences.push({ index: sentences.length, text: masked.slice(start, end), start, end, tokens });
    }
  }
  return sentences;
}
