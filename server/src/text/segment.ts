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
 *
 * `segmentDocument` reads a document once; the editor keeps a DocumentSegmentation per open document
 * (documentSegmentation.ts), which re-reads only what an edit touched and gives the same sentences.
 */
import type { SentenceSpan } from './types';
import { DocumentSegmentation } from './documentSegmentation';
import { markdownProse } from './markdown';
import { plainTextProse } from './plainText';
import { languageOf } from './prose';
import type { ProseView } from './prose';

export { MAX_SENTENCE_WORDS } from './longSentences';
export { languageOf } from './prose';
export type { SegmentLanguage } from './prose';

export function proseOf(text: string, languageId: string | undefined): ProseView {
  return languageOf(languageId) === 'markdown' ? markdownProse(text) : plainTextProse(text);
}

export function segmentDocument(text: string, languageId?: string): SentenceSpan[] {
  return new DocumentSegmentation(text, languageId).sentences();
}
