/**
 * Document text + language -> sentences with word tokens, in document coordinates (UTF-16).
 *
 * Markdown is reduced to prose first (markdown.ts); other languages are read as plain text.
 * Every token's `text` equals `documentText.slice(token.start, token.end)`; CRLF and lone CR line
 * endings are whitespace like any other. Sentences are never cut for length here: a long one is
 * returned whole and the model layer splits it into overlapping windows (server/src/model/windows.ts).
 */
import type { SentenceSpan, WordToken } from '../pipeline/types';
import { markdownProse, ProseView } from './markdown';
import { plainTextProse } from './plainText';
import { sentenceRanges } from './sentences';
import { tokenizeWords } from './wordTokenizer';

export type SegmentLanguage = 'markdown' | 'plaintext';

export function languageOf(languageId: string | undefined): SegmentLanguage {
  return languageId === 'markdown' ? 'markdown' : 'plaintext';
}

export function proseOf(text: string, languageId: string | undefined): ProseView {
  return languageOf(languageId) === 'markdown' ? markdownProse(text) : plainTextProse(text);
}

export function segmentDocument(text: string, languageId?: string): SentenceSpan[] {
  const { masked, blocks } = proseOf(text, languageId);
  const sentences: SentenceSpan[] = [];
  for (const block of blocks) {
    const raw = tokenizeWords(masked.slice(block.start, block.end), block.start);
    if (raw.length === 0) continue;
    // A heading or a table cell is one statement however it is punctuated.
    const ranges: Array<[number, number]> =
      block.kind === 'heading' || block.kind === 'tableCell' ? [[0, raw.length]] : sentenceRanges(raw);
    for (const [a, b] of ranges) {
      const tokens: WordToken[] = raw.slice(a, b).map((t) => ({ text: t.text, start: t.start, end: t.end }));
      const start = tokens[0].start;
      const end = tokens[tokens.length - 1].end;
      sentences.push({ index: sentences.length, text: masked.slice(start, end), start, end, tokens });
    }
  }
  return sentences;
}
