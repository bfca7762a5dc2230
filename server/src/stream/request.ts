/**
 * One input line of `erlens stream` -> a document to annotate, or the reason it cannot be.
 *
 * A line is a JSON object with an `id` (string or number, echoed in the output) and either `text` (the
 * document itself) or `path` (a file to read, as `erlens extract` reads files). `language` may say
 * markdown or plaintext; without it a path's extension decides, and text is plain text. Blank lines
 * are skipped (they are not documents).
 */
import { isSegmentLanguage, SEGMENT_LANGUAGES } from '../text/prose';
import type { SegmentLanguage } from '../text/prose';
import type { ReadLine } from './lineReader';

export type DocumentId = string | number | null;

export interface DocumentRequest {
  line: number;
  id: DocumentId;
  text?: string;
  path?: string;
  language?: SegmentLanguage;
}

export interface RequestError {
  line: number;
  id: DocumentId;
  error: string;
}

export function parseRequest(read: ReadLine): DocumentRequest | RequestError | undefined {
  if ('tooLong' in read) {
    return { line: read.number, id: idFromHead(read.head), error: `line of ${read.tooLong} bytes is over the limit (--max-line-bytes)` };
  }
  if (read.text.trim() === '') return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(read.text);
  } catch (err) {
    return { line: read.number, id: null, error: `not JSON: ${(err as Error).message}` };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { line: read.number, id: null, error: 'not a JSON object' };
  const o = obj as Record<string, unknown>;
  const id: DocumentId = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : null;
  const fail = (error: string): RequestError => ({ line: read.number, id, error });
  if (o.id === undefined) return fail('no "id"');
  if (id === null) return fail('"id" must be a string or a number');
  if (o.language !== undefined && !isSegmentLanguage(o.language)) return fail(`"language" must be ${SEGMENT_LANGUAGES.join(' or ')}`);
  const language = o.language as SegmentLanguage | undefined;
  if (typeof o.text === 'string') return { line: read.number, id, text: o.text, language };
  if (typeof o.path === 'string' && o.path !== '') return { line: read.number, id, path: o.path, language };
  if (o.text !== undefined) return fail('"text" must be a string');
  return fail('needs "text" or "path"');
}

export function isRequestError(r: DocumentRequest | RequestError): r is RequestError {
  return 'error' in r;
}

/** The id of a line too long to parse, when it is written first (`{"id": "n-17", "text": ...`). */
function idFromHead(head: string): DocumentId {
  const m = /^\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/.exec(head);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as string | number;
  } catch {
    return null;
  }
}
