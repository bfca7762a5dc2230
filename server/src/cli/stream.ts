/**
 * `erlens stream`: JSONL documents on stdin (or --input) -> one JSONL record per document on stdout (or
 * --out), in input order, the models loaded once; progress on stderr. The map task of a Spark job
 * (spark/erlens_spark.py) and of any other engine that pipes text through a process.
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import { DEFAULT_STREAM_CONCURRENCY, streamDocuments } from '../stream/streamDocuments';
import type { StreamSummary } from '../stream/streamDocuments';
import { UsageError } from './errors';
import { assertionsOption, languageOption } from './options';
import type { CommonOptions, Values } from './options';
import { chooseModels } from './modelSelection';
import { loadAnnotator } from './loadModels';

/**
 * A stream runs unattended on many documents, so one document may not stall it for hours: 2 million
 * characters (about a thousand pages) by default, where `extract` on named files allows 20 million.
 */
export const DEFAULT_STREAM_MAX_DOCUMENT_CHARS = 2_000_000;
const PROGRESS_EVERY_MS = 5000;

export async function runStream(values: Values, opts: CommonOptions): Promise<number> {
  const concurrency = positiveInt(values.concurrency, DEFAULT_STREAM_CONCURRENCY, '--concurrency');
  const maxDocumentChars = positiveInt(values['max-document-chars'], DEFAULT_STREAM_MAX_DOCUMENT_CHARS, '--max-document-chars');
  // JSON may spend 6 bytes on a character (\u escapes): a document within the limit always fits a line.
  const maxLineBytes = positiveInt(values['max-line-bytes'], 6 * maxDocumentChars + 65536, '--max-line-bytes');
  const assertions = assertionsOption(values);
  const language = languageOption(values);
  const inputPath = values.input as string | undefined;
  if (inputPath && !fs.existsSync(inputPath)) throw new UsageError(`file not found: ${inputPath}`);
  const quiet = values.quiet === true;

  const annotator = await loadAnnotator(chooseModels(opts), opts, { maxDocumentChars });
  const input = inputPath ? fs.createReadStream(inputPath) : process.stdin;
  if (!inputPath && process.stdin.isTTY) process.stderr.write('erlens stream: reading JSONL documents from the terminal, one {"id": .., "text": ..} per line (Ctrl-D ends); usually stdin is a file or a pipe\n');
  const output = values.out ? fs.createWriteStream(values.out as string) : process.stdout;
  const started = Date.now();
  let lastReport = started;
  const report = (summary: Readonly<StreamSummary>, final: boolean) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = (n: number) => (seconds > 0 ? (n / seconds).toFixed(1) : '0');
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    process.stderr.write(
      `erlens stream: ${summary.documents} documents (${summary.errors} with errors), ${summary.sentences} sentences, ` +
        `${rate(summary.documents)} documents/s, ${rate(summary.sentences)} sentences/s, RSS ${rss} MB${final ? `, ${seconds.toFixed(1)} s` : ''}\n`,
    );
  };
  const models = annotator.loadedModels().map((m) => `${m.id} on ${m.provider}`).join(', ');
  if (!quiet) process.stderr.write(`erlens stream: models ${models}; ${concurrency} documents at a time\n`);
  const seenErrors = new Set<string>();
  try {
    const final = await streamDocuments(annotator, input, output, {
      concurrency,
      maxLineBytes,
      maxDocumentChars,
      assertions,
      language,
      onRecord: (_record, soFar) => {
        // A failing ORT batch is logged by the Annotator; say it once here rather than per document.
        for (const e of annotator.errors) {
          if (!seenErrors.has(e.message)) {
            seenErrors.add(e.message);
            process.stderr.write(`erlens: warning: ${e.message}\n`);
          }
        }
        if (!quiet && Date.now() - lastReport >= PROGRESS_EVERY_MS) {
          lastReport = Date.now();
          report(soFar, false);
        }
      },
    });
    if (output !== process.stdout) {
      output.end();
      await once(output, 'finish');
    }
    if (!quiet) report(final, true);
    return 0;
  } finally {
    await annotator.dispose();
  }
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number above 0, not '${value}'`);
  return n;
}
