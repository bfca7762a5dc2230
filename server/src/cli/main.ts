/**
 * The `erlens` command line: extract, stream, predict, eval, models, index, query, bench, serve.
 *
 * Every command goes through the same pipeline as the editor (Annotator -> ModelRunner), so `eval`
 * scores exactly what users see. User errors (bad arguments, missing files, broken packages) print
 * one line and exit non-zero; only a bug shows a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { ModelPackageError } from '../model/package';
import { DataError } from '../eval/jsonl';
import { extensionRoot } from '../paths';
import { UsageError } from './errors';
import { COMMON, commonOptions } from './options';
import type { Values } from './options';
import { runExtract } from './extract';
import { runStream } from './stream';
import { runPredict, runEval, withDefaultNotesGold } from './evaluate';
import { runModels } from './models';
import { runIndex } from './index';
import { runQuery } from './query';
import { runBench } from './bench';
import { runBenchIndex } from './benchIndex';
import { runBenchLsp } from './benchLsp';
import { runSessionMemoryBench } from './benchSessionMemory';

const HELP = `erlens — entities and relations in Markdown and text, fully local

usage:
  erlens extract <files…> [--model ID|DIR]… [--format json|jsonl|csv|ntriples|brat|labelstudio|prodigy|inception|text] [--out PATH]
                 [--assertions all|affirmed|present]
  erlens stream  [--model ID|DIR]… [--input DOCS.jsonl] [--out RESULTS.jsonl] [--concurrency 8]
                 [--assertions all|affirmed|present] [--language markdown|plaintext]
                 [--max-document-chars 2000000] [--max-line-bytes N] [--quiet]
  erlens predict --model ID|DIR --input GOLD.jsonl --output PRED.jsonl
  erlens eval    --model ID|DIR --data GOLD.jsonl [--report R.json]
  erlens eval    [--model ID|DIR]… --data GOLD.jsonl --layout lines|paragraphs [--write-brat DIR] [--report R.json]
  erlens eval    [--model ID|DIR]… --brat DIR [--report R.json]
  erlens eval    [--model ID|DIR]… --notes-gold [FILE] [--notes-dir DIR] [--report R.json]
  erlens models  [--json]
  erlens index   [FOLDER…] [--model ID|DIR]… [--quiet]
  erlens query   TEXT [--workspace FOLDER] [--relation TYPE] [--role head|tail] [--limit N] [--json]
  erlens bench   [--model ID|DIR]… [--sentences N] [--providers cpu,webgpu,cuda] [--out R.json]
  erlens bench   --lsp [--model ID|DIR]… [--sentences 2000] [--edits 60] [--burst 1000] [--debounce MS]
                 [--fuzz 100] [--skip-pathological] [--out bench-lsp.json]
  erlens bench   --session-memory [--model ID|DIR] [--sentences 2000] [--out bench-session-memory.json]
  erlens bench   --index [--model ID|DIR]… [--notes 1000] [--unique] [--notes-dir DIR] [--out bench-index.json]
  erlens serve   --stdio

common options:
  --model ID|DIR              a package id (looked up in models/ and --models-dir) or a package folder;
                              repeat for several models (extract, bench, raw eval). Default: the configured
                              default models that are installed, else every package in models/.
  --models-dir DIR            another folder holding packages (repeatable)
  --execution-provider EP     auto | cpu | webgpu | cuda (default auto: webgpu, then cuda, then cpu)
  --threads N                 ONNX Runtime intra-op threads (default: ORT's choice)
  --language markdown|plaintext   how to read the files (default: by extension, .md = markdown)
  --routing auto|off          auto (default): a model runs only on documents of the domain it was
                              trained for (clinical, general, science); off: every model everywhere

extract writes one document per file: entities (start/end = UTF-16 offsets into the file's text,
startCodePoint/endCodePoint, text, type, score) and relations (head/tail = indices into that file's
entities, type, score). json prints all documents in one object, jsonl one document per line, csv and
ntriples one row/triple per relation, brat a .txt + .ann pair per file (and annotation.conf) into the
--out folder, labelstudio Label Studio tasks with predictions (and label-studio-config.xml beside --out),
prodigy Prodigy tasks (one sentence a line), inception one UIMA CAS JSON file per file into the --out folder; text is for reading, not parsing: per sentence its entities (type, assertion) and its
relations as head → type → tail (what npm run demo prints). Every entity and relation carries its assertion status (present, negated, possible,
hypothetical, historical, family); --assertions affirmed keeps present, historical and possible ones,
--assertions present only present ones (an entity stays while a kept relation uses it); default all.
Offsets and fields: docs/export-formats.md.

stream reads JSONL documents from stdin (or --input), {"id": .., "text": ..} or {"id": .., "path": ..}
(optional "language"), and writes one JSON line per document to stdout (or --out), in input order: "id",
"line" (its input line), then the fields of extract's jsonl document. A document that cannot be
annotated (not JSON, no text, unreadable path, binary, over --max-document-chars) gets a record with
"error" and the stream goes on. The models load once; --concurrency documents are annotated at once and
their sentences share ORT calls; it reads no further ahead than that. Progress goes to stderr (--quiet:
none). The map task of spark/erlens_spark.py (README, "Corpus scale").

index keeps FOLDER/.erlens/index.sqlite (SQLite; the language server keeps the same file for the
workspace it opens) up to date with the folder's Markdown and text files, annotated as the editor shows
them (the folder's .erlens corrections applied); files unchanged since the last run are not annotated
again, files gone are dropped. query answers from that index: every relation the entity TEXT takes part
in (compared in lower case), one line per relation as file:line:column: head → type → tail [assertion,
score]; --json gives the full records (both arguments' offsets and positions, the sentence).
bench --lsp drives the language server over stdio as an editor does: cold time to the first and to
complete diagnostics of a --sentences note (with hover, semantic tokens and code lens latencies during
it), one-word edit latency to complete diagnostics, RSS over 500 edits, settle time after a --burst of
edits sent as fast as possible, RSS after closing, --fuzz generated documents (slowest request, highest
RSS) and pathological Markdown; it writes a JSON report.
bench --session-memory measures ONNX Runtime's CPU memory arena and memory patterns (on/off) and the
batch bound (word pairs, or 16 sentences a call) on the first model: RSS loaded, peak, after; speed.
bench --index generates a workspace of --notes notes from ../shared/notes paragraphs and measures the
server's workspace index over stdio: the first indexing, a restart's, query latency, and how soon an
edit's annotations reach a query (--unique: no sentence repeats, so the sentence cache cannot help); it
writes a JSON report.

eval scores strictly (exact spans and types). --layout tokens (the default) feeds the gold tokens to
one model. --layout lines | paragraphs writes the gold sentences as one plain-text document (one per
line, or five per paragraph) and runs it through the editor's pipeline (segmentation, tokenizer, every
--model, merge), scoring on character offsets; --write-brat DIR saves that document and its gold as
brat .txt/.ann. --brat DIR scores brat documents (X.txt or X.md + X.ann) the same way. Raw modes also
count gold the editor cannot express (off token boundaries, split across sentences). Every mode reports
predicted relations and entities per 100 sentences. The last line is
ner_micro=.. re_micro=.. ner_macro=.. re_macro=..
--notes-gold [FILE] (default ../shared/notes/gold/dev.jsonl; notes in its parent folder or --notes-dir)
runs whole clinical notes and scores the gold sentences: Drug P/R/F1 strict and overlap, marks per 100
sentences, assertion accuracy on the gold Drugs found (and ConText alone on every gold Drug span);
last line drug_p=.. drug_r=.. drug_f1=.. rel_per_100=.. assertion_acc=..
`;

const COMMANDS: Record<string, ParseArgsConfig['options']> = {
  extract: { ...COMMON, format: { type: 'string' }, out: { type: 'string' }, language: { type: 'string' }, assertions: { type: 'string' } },
  stream: {
    ...COMMON,
    input: { type: 'string' },
    out: { type: 'string' },
    language: { type: 'string' },
    assertions: { type: 'string' },
    concurrency: { type: 'string' },
    'max-document-chars': { type: 'string' },
    'max-line-bytes': { type: 'string' },
    quiet: { type: 'boolean' },
  },
  predict: { ...COMMON, input: { type: 'string' }, output: { type: 'string' } },
  eval: {
    ...COMMON,
    data: { type: 'string' },
    report: { type: 'string' },
    layout: { type: 'string' },
    brat: { type: 'string' },
    'write-brat': { type: 'string' },
    'notes-gold': { type: 'string' },
    'notes-dir': { type: 'string' },
  },
  models: { ...COMMON, json: { type: 'boolean' } },
  index: { ...COMMON, quiet: { type: 'boolean' } },
  query: { workspace: { type: 'string' }, relation: { type: 'string' }, role: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  bench: {
    ...COMMON,
    sentences: { type: 'string' },
    providers: { type: 'string' },
    out: { type: 'string' },
    'notes-dir': { type: 'string' },
    lsp: { type: 'boolean' },
    'session-memory': { type: 'boolean' },
    index: { type: 'boolean' },
    notes: { type: 'string' },
    unique: { type: 'boolean' },
    'cpu-mem-arena': { type: 'string' },
    'mem-pattern': { type: 'string' },
    'batch-cells': { type: 'string' },
    'batch-size': { type: 'string' },
    edits: { type: 'string' },
    burst: { type: 'string' },
    fuzz: { type: 'string' },
    debounce: { type: 'string' },
    'skip-pathological': { type: 'boolean' },
  },
  serve: { stdio: { type: 'boolean' }, 'node-ipc': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
};

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')).version}\n`);
    return 0;
  }
  const options = COMMANDS[command];
  try {
    if (!options) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    let parsed;
    try {
      const args = command === 'eval' ? withDefaultNotesGold(rest) : [...rest];
      parsed = parseArgs({ args, options, allowPositionals: ['extract', 'index', 'query'].includes(command), strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message.split('\n')[0]);
    }
    const values = parsed.values as Values;
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    switch (command) {
      case 'extract':
        return await runExtract(parsed.positionals, values, commonOptions(values));
      case 'stream':
        return await runStream(values, commonOptions(values));
      case 'predict':
        return await runPredict(values, commonOptions(values));
      case 'eval':
        return await runEval(values, commonOptions(values));
      case 'models':
        return await runModels(values, commonOptions(values));
      case 'index':
        return await runIndex(parsed.positionals, values, commonOptions(values));
      case 'query':
        return await runQuery(parsed.positionals, values);
      case 'bench':
        if (values.lsp) return await runBenchLsp(values, commonOptions(values));
        if (values['session-memory']) return await runSessionMemoryBench(values, commonOptions(values));
        if (values.index) return await runBenchIndex(values, commonOptions(values));
        return await runBench(values, commonOptions(values));
      case 'serve':
        return serve(values);
    }
    return 2;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ModelPackageError || err instanceof DataError) {
      process.stderr.write(`erlens ${command}: ${err.message}\n`);
      if (err instanceof UsageError) process.stderr.write(`run 'erlens --help' for usage\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}

/** `erlens serve --stdio`: the language server, when this build has it. */
function serve(values: Values): number {
  if (!values.stdio && !values['node-ipc']) throw new UsageError('serve needs --stdio (the language server talks over stdin/stdout)');
  let server: { startServer?: () => unknown };
  try {
    server = require('../lsp/server');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /lsp[\\/]server/.test((err as Error).message)) {
      throw new UsageError('the language server is not part of this build (server/out/lsp/server.js is missing)');
    }
    throw err;
  }
  if (typeof server.startServer !== 'function') throw new UsageError('server/out/lsp/server.js has no startServer()');
  // stderr is not the LSP channel: what is said there reaches the editor's log or the terminal.
  if (values.stdio && process.stdin.isTTY) {
    process.stderr.write(
      'erlens serve: the language server is waiting for LSP messages on stdin (JSON-RPC with Content-Length headers);\n' +
        'start it from an editor (see README, "Command line") rather than by hand. It exits when stdin closes (Ctrl-D).\n',
    );
  }
  if (values.stdio) process.stdin.once('end', () => process.stderr.write('erlens serve: stdin closed (the editor ended the session): exiting\n'));
  server.startServer(); // reads --stdio from process.argv; keeps the process alive
  return -1; // still running: the caller must not exit
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`erlens: internal error: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 70;
    },
  );
}
