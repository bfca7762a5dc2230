// A real LSP client for tests: spawns the ERlens language server as its own process over stdio and
// talks JSON-RPC to it with vscode-jsonrpc (the library VS Code's client uses). It answers the server's
// requests (workspace/configuration, registerCapability, refreshes) and records what the server pushes
// (diagnostics, messages, log lines, status) so tests can wait on them.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-jsonrpc/node';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedRoot = path.resolve(repoRoot, '..', 'shared');
// Overridable so the same tests can run another memorising package or the bundled server (dist/server.js).
export const tinyModelDir = process.env.ERLENS_TEST_MODEL ?? path.join(repoRoot, 'test', 'fixtures', 'models', 'tiny-mge');
export const serverMain = process.env.ERLENS_SERVER_MAIN ?? path.join(repoRoot, 'server', 'out', 'lsp', 'main.js');
// The other architectures' tiny packages and the odd-input document, shared with the TypeScript tests.
export const { tinyArchitectures, tinyPackageOf, oddInputDocument } = createRequire(import.meta.url)(path.join(repoRoot, 'server', 'out', 'testing', 'fixtures.js'));

/** Offset → LSP position in `s` (UTF-16 units, lines split at \n). */
export function positionAt(s, offset) {
  const before = s.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** LSP position → offset in `s`. */
export function offsetAt(s, { line, character }) {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = s.indexOf('\n', offset) + 1;
  return offset + character;
}

/** The text of `s` an LSP range covers. */
export function rangeText(s, range) {
  return s.slice(offsetAt(s, range.start), offsetAt(s, range.end));
}

export function fileUri(p) {
  return pathToFileURL(p).toString();
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(probe, timeoutMs = 30000, what = 'condition') {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export class LspTestClient {
  /**
   * @param {object} settings the `erlens` section the server gets through workspace/configuration
   * @param {object} [options] { capabilities overrides, workspaceFolders: string[] (paths), serverMain, cwd }
   */
  constructor(settings, options = {}) {
    this.settings = settings;
    this.options = options;
    this.diagnostics = new Map(); // uri -> latest params
    this.diagnosticEvents = [];
    this.messages = []; // window/showMessage
    this.logs = []; // window/logMessage
    this.statuses = []; // erlens/status
    this.documentStatus = new Map(); // uri -> latest erlens/documentStatus (is the document fully analysed?)
    this.documentStatusEvents = [];
    this.progress = []; // $/progress
    this.refreshes = { semanticTokens: 0, codeLens: 0 };
    this.stderr = '';
    this.versions = new Map();
  }

  async start() {
    this.proc = spawn(process.execPath, [this.options.serverMain ?? serverMain, '--stdio'], { cwd: this.options.cwd ?? repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(this.proc.stdout), new rpc.StreamMessageWriter(this.proc.stdin));
    this.conn = conn;
    conn.onRequest('workspace/configuration', (params) => params.items.map((item) => (item.section === 'erlens' ? this.settings : null)));
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('workspace/semanticTokens/refresh', () => {
      this.refreshes.semanticTokens++;
      return null;
    });
    conn.onRequest('workspace/codeLens/refresh', () => {
      this.refreshes.codeLens++;
      return null;
    });
    conn.onNotification('textDocument/publishDiagnostics', (p) => {
      this.diagnostics.set(p.uri, p);
      this.diagnosticEvents.push(p);
    });
    conn.onNotification('window/showMessage', (p) => this.messages.push(p));
    conn.onNotification('window/logMessage', (p) => this.logs.push(p));
    conn.onNotification('erlens/status', (p) => this.statuses.push(p));
    conn.onNotification('erlens/documentStatus', (p) => {
      this.documentStatus.set(p.uri, p);
      this.documentStatusEvents.push(p);
    });
    conn.onNotification('$/progress', (p) => this.progress.push(p));
    conn.listen();
    const folders = this.options.workspaceFolders ?? [];
    this.initializeResult = await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders[0] ? fileUri(folders[0]) : null,
      workspaceFolders: folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })),
      capabilities: {
        window: { workDoneProgress: true },
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, semanticTokens: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          semanticTokens: { requests: { full: true, range: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
          codeLens: {},
        },
        ...(this.options.capabilities ?? {}),
      },
      initializationOptions: this.options.initializationOptions ?? {},
    });
    await conn.sendNotification('initialized', {});
    return this.initializeResult;
  }

  get legend() {
    return this.initializeResult.capabilities.semanticTokensProvider.legend;
  }

  open(uri, text, languageId = 'markdown') {
    this.versions.set(uri, 1);
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends incremental changes ({range, text}) or a full text (string); returns the new version. */
  change(uri, changes) {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const contentChanges = typeof changes === 'string' ? [{ text: changes }] : changes;
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return version;
  }

  close(uri) {
    this.versions.delete(uri);
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request(method, params) {
    return this.conn.sendRequest(method, params);
  }

  stats() {
    return this.request('erlens/stats');
  }

  hover(uri, line, character) {
    return this.request('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  semanticTokens(uri) {
    return this.request('textDocument/semanticTokens/full', { textDocument: { uri } });
  }

  semanticTokensRange(uri, range) {
    return this.request('textDocument/semanticTokens/range', { textDocument: { uri }, range });
  }

  codeLens(uri) {
    return this.request('textDocument/codeLens', { textDocument: { uri } });
  }

  /**
   * Waits for diagnostics of `uri` at the document's current version once every sentence is analysed
   * (`complete: false`: the first ones published, which may cover only the sentences analysed so far).
   */
  waitForDiagnostics(uri, { timeoutMs = 60000, version = this.versions.get(uri), complete = true } = {}) {
    return waitFor(() => {
      const d = this.diagnostics.get(uri);
      if (!d || d.version !== version) return undefined;
      if (!complete) return d;
      const status = this.documentStatus.get(uri);
      return status && status.version === version && status.complete ? this.diagnostics.get(uri) : undefined;
    }, timeoutMs, `${complete ? 'complete ' : ''}diagnostics for ${uri} v${version}`);
  }

  /** Decodes semantic tokens into {line, char, length, type}. */
  decode(data) {
    const out = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
      out.push({ line, char, length: data[i + 2], type: this.legend.tokenTypes[data[i + 3]], modifiers: data[i + 4] });
    }
    return out;
  }

  async stop() {
    if (!this.conn) return;
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
      void this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    this.conn.dispose();
  }
}

/**
 * A Markdown document made of CoNLL04 training sentences the tiny test model memorised (the first 40 of
 * train.jsonl), one paragraph each. Only sentences that the server's own segmenter keeps as exactly one
 * sentence with the same words are used, so the model sees what it was trained on.
 */
export async function conllDocument(count = 40) {
  const fs = await import('node:fs');
  const { segmentDocument } = await import(pathToFileURL(path.join(repoRoot, 'server', 'out', 'text', 'segment.js')).toString());
  const lines = fs.readFileSync(path.join(sharedRoot, 'data', 'conll04', 'train.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 40);
  const picked = [];
  for (const line of lines) {
    const gold = JSON.parse(line);
    const text = gold.tokens.join(' ');
    const segmented = segmentDocument(text, 'markdown');
    if (segmented.length === 1 && segmented[0].tokens.map((t) => t.text).join(' ') === text && gold.relations.length > 0) picked.push({ text, gold });
    if (picked.length >= count) break;
  }
  let offset = 0;
  const paragraphs = [];
  for (const p of picked) {
    p.offset = offset;
    paragraphs.push(p.text);
    offset += p.text.length + 2;
  }
  return { text: paragraphs.join('\n\n') + '\n', sentences: picked };
}

/**
 * The clinical package among the default models (package.json `erlens.models`): the first whose
 * model.json names the clinical domain. Tests of assertion status run it, whatever its id is today.
 */
export async function defaultClinicalModel() {
  const fs = await import('node:fs');
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  for (const id of manifest.contributes.configuration[0].properties['erlens.models'].default) {
    const file = path.join(repoRoot, 'models', id, 'model.json');
    if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).domain === 'clinical') return id;
  }
  return undefined;
}

/**
 * A short clinical note whose sentences each hold an unambiguous assertion trigger, and the status each
 * probe mention must get wherever a model marks it (any entity inside the probe's span).
 */
export const CLINICAL_NOTE = [
  '# Clinic visit',
  '',
  'The patient is a 45-year-old woman with hypertension, currently on lisinopril.',
  'She denies chest pain.',
  'There were no signs of anaphylaxis after amoxicillin.',
  'If she develops a rash, stop the amoxicillin.',
  'She developed hives after penicillin.',
  '',
].join('\n');

export const CLINICAL_PROBES = [
  { text: 'chest pain', status: 'negated', trigger: 'denies' },
  { text: 'anaphylaxis', status: 'negated', trigger: 'no signs of' },
  { text: 'amoxicillin', nth: 0, status: 'present' },
  { text: 'rash', status: 'hypothetical', trigger: 'If' },
  { text: 'hives', status: 'present' },
  { text: 'penicillin', status: 'present' },
].map((p) => {
  let at = -1;
  for (let k = 0; k <= (p.nth ?? 0); k++) at = CLINICAL_NOTE.indexOf(p.text, at + 1);
  return { ...p, start: at, end: at + p.text.length };
});
