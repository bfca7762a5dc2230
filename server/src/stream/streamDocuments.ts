/**
 * JSONL documents in -> JSONL annotations out, one line per document, in input order.
 *
 * The path of `erlens stream`, and of each Spark task (spark/erlens_spark.py pipes a partition through
 * it). Per document it does what `erlens extract` does for a file (Annotator.annotate, the assertion
 * view, documentToJson), so a document gives the same record either way. Several documents are in
 * flight at once (`concurrency`): their sentences share ORT calls (ModelRunner batches the windows of
 * concurrent runs), and a slow document does not hold the model idle. Memory stays bounded: a new
 * line is read only when fewer than `concurrency` documents wait to be written, and a record is written
 * only as fast as the output takes it (the writer's backpressure reaches the reader), so nothing is
 * read far ahead of what was written. A document that cannot be annotated becomes a record with an
 * `error` and the stream goes on; nothing a line holds can end it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { filterByAssertion } from '../assertion/view';
import type { AssertionView } from '../assertion/view';
import { documentToJson } from '../export/formats';
import type { Annotator } from '../pipeline/annotator';
import type { SegmentLanguage } from '../text/prose';
import { languageOfPath } from '../workspace/proseFiles';
import { readLines } from './lineReader';
import { isRequestError, parseRequest } from './request';
import type { DocumentId, DocumentRequest, RequestError } from './request';

export interface StreamOptions {
  /** Documents annotated at once (default 8). */
  concurrency?: number;
  /** Longest input line kept, in bytes; a longer one becomes an error record without being kept. */
  maxLineBytes: number;
  /** The Annotator's document limit (UTF-16 units): a file certainly over it is not read at all. */
  maxDocumentChars: number;
  assertions: AssertionView;
  /** How every document is read, overriding its `language` and extension. */
  language?: SegmentLanguage;
  /** Called after each record is written, with the counts so far (progress). */
  onRecord?: (record: StreamRecord, soFar: Readonly<StreamSummary>) => void;
}

/** What one output line holds: the id and input line, then `erlens extract --format jsonl`'s document fields, or an `error`. */
export interface StreamRecord {
  id: DocumentId;
  line: number;
  error?: string;
  [field: string]: unknown;
}

export interface StreamSummary {
  documents: number;
  errors: number;
  sentences: number;
  entities: number;
  relations: number;
}

export const DEFAULT_STREAM_CONCURRENCY = 8;

/** Annotate every document of `input` and write its record to `output`; resolves when all are written. */
export async function streamDocuments(
  annotator: Annotator,
  input: AsyncIterable<Buffer | string>,
  output: NodeJS.WritableStream,
  options: StreamOptions,
): Promise<StreamSummary> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_STREAM_CONCURRENCY);
  const summary: StreamSummary = { documents: 0, errors: 0, sentences: 0, entities: 0, relations: 0 };
  const inFlight: Array<Promise<Outcome>> = [];
  const writeNext = async () => {
    const { record, sentences } = await inFlight.shift()!;
    summary.documents++;
    if (record.error !== undefined) summary.errors++;
    summary.sentences += sentences;
    summary.entities += Array.isArray(record.entities) ? record.entities.length : 0;
    summary.relations += Array.isArray(record.relations) ? record.relations.length : 0;
    await write(output, JSON.stringify(record) + '\n');
    options.onRecord?.(record, summary);
  };
  for await (const read of readLines(input, options.maxLineBytes)) {
    const request = parseRequest(read);
    if (!request) continue;
    inFlight.push(isRequestError(request) ? Promise.resolve({ record: errorRecord(request), sentences: 0 }) : annotateRequest(annotator, request, options));
    while (inFlight.length >= concurrency) await writeNext();
  }
  while (inFlight.length > 0) await writeNext();
  return summary;
}

/** A document's record, and the sentences it had (for the counts; not written). */
interface Outcome {
  record: StreamRecord;
  sentences: number;
}

/** One document's outcome; never rejects (every failure is the record's `error`). */
async function annotateRequest(annotator: Annotator, request: DocumentRequest, options: StreamOptions): Promise<Outcome> {
  const base = { id: request.id, line: request.line };
  try {
    let text = request.text;
    let uri: string;
    let file: string | undefined;
    if (text === undefined) {
      file = path.resolve(request.path!);
      text = await readText(file, options.maxDocumentChars);
      uri = pathToFileURL(file).href;
    } else uri = `erlens-stream:${encodeURIComponent(String(request.id))}`;
    const language = options.language ?? request.language ?? (file ? languageOfPath(file) : 'plaintext');
    const annotations = await annotator.annotate(uri, 0, text, language);
    const json = documentToJson({ annotations: filterByAssertion(annotations, options.assertions), text, path: file });
    return { record: { ...base, ...(annotations.skipped ? { error: annotations.skipped } : {}), ...json }, sentences: annotations.stats.sentences };
  } catch (err) {
    return { record: { ...base, error: (err as Error).message ?? String(err) }, sentences: 0 };
  }
}

async function readText(file: string, maxChars: number): Promise<string> {
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) throw new Error(`not a file: ${file}`);
    // UTF-8 spends at most 3 bytes on a UTF-16 unit: more bytes than that are over the limit unread.
    if (stat.size > 3 * maxChars) throw new Error(`skipped: the file has ${stat.size} bytes, over the limit of ${maxChars} characters (--max-document-chars)`);
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new Error(`file not found: ${file}`);
    if (e.code === 'EACCES' || e.code === 'EPERM') throw new Error(`file not readable (${e.code}): ${file}`);
    throw err;
  }
}

function errorRecord(r: RequestError): StreamRecord {
  return { id: r.id, line: r.line, error: r.error };
}

function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = output.write(text, (err) => {
      if (err) reject(err);
    });
    if (ok) resolve();
    else output.once('drain', () => resolve());
  });
}
