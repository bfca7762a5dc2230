/**
 * A minimal LSP client for `erlens bench --lsp`: starts the language server as a child process over
 * stdio (as Neovim or any editor would), answers what the server asks, and records when diagnostics
 * and document statuses arrive, so the bench measures what an editor sees, transport included.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import type { MessageConnection } from 'vscode-languageserver/node';
import { DOCUMENT_STATUS_NOTIFICATION, SERVER_ENVIRONMENT, SERVER_EXEC_ARGV, STATS_REQUEST, STATUS_NOTIFICATION } from '../lsp/protocol';
import type { DocumentStatus, ServerStats } from '../lsp/protocol';
import { UsageError } from './errors';

export interface Position {
  line: number;
  character: number;
}

/** A document as the client holds it: text, version, and the line starts to turn offsets into positions. */
export class ClientDocument {
  version = 1;
  private lineStarts: number[] = [0];

  constructor(
    readonly uri: string,
    public text: string,
  ) {
    this.index();
  }

  private index(): void {
    const starts = [0];
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo] };
  }

  /** Applies a replacement and returns the LSP change for it. */
  replace(start: number, end: number, insert: string): { range: { start: Position; end: Position }; text: string } {
    const change = { range: { start: this.positionAt(start), end: this.positionAt(end) }, text: insert };
    const lines = insert.includes('\n') || insert.includes('\r') || this.text.slice(start, end).includes('\n');
    this.text = this.text.slice(0, start) + insert + this.text.slice(end);
    this.version++;
    if (lines) this.index();
    else {
      const delta = insert.length - (end - start);
      const first = change.range.start.line + 1;
      for (let i = first; i < this.lineStarts.length; i++) this.lineStarts[i] += delta;
    }
    return change;
  }
}

export class LspDriver {
  readonly conn: MessageConnection;
  private readonly proc: ChildProcess;
  stderr = '';
  /** When each (uri, version) first got diagnostics, and how many. */
  readonly diagnostics = new Map<string, { version?: number; count: number; at: number }[]>();
  readonly statuses = new Map<string, DocumentStatus & { at: number }>();
  private waiters: Array<() => void> = [];
  readonly progress: Array<{ kind: string; at: number }> = [];

  constructor(settings: Record<string, unknown>) {
    const main = path.join(__dirname, '..', 'lsp', 'main.js');
    this.proc = spawn(process.execPath, [...SERVER_EXEC_ARGV, main, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...SERVER_ENVIRONMENT } });
    this.proc.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => (i.section === 'erlens' ? settings : null)));
    for (const m of ['client/registerCapability', 'window/workDoneProgress/create', 'workspace/semanticTokens/refresh', 'workspace/codeLens/refresh']) this.conn.onRequest(m, () => null);
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: unknown[] }) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push({ version: p.version, count: p.diagnostics.length, at: performance.now() });
      this.diagnostics.set(p.uri, list);
      this.wake();
    });
    this.conn.onNotification(DOCUMENT_STATUS_NOTIFICATION, (p: DocumentStatus) => {
      this.statuses.set(p.uri, { ...p, at: performance.now() });
      this.wake();
    });
    this.conn.onNotification('$/progress', (p: { value?: { kind?: string } }) => {
      this.progress.push({ kind: p.value?.kind ?? '?', at: performance.now() });
    });
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.onNotification('window/showMessage', () => undefined);
    this.conn.onNotification(STATUS_NOTIFICATION, () => undefined);
    this.conn.listen();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `probe` holds (checked on every notification, and every 50 ms). */
  async until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== null && (v as unknown) !== false) return v;
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** `folders`: the workspace's folders (paths); none by default. */
  async initialize(folders: string[] = []): Promise<void> {
    await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders.length > 0 ? fileUriOf(folders[0]) : null,
      workspaceFolders: folders.length > 0 ? folders.map((f) => ({ uri: fileUriOf(f), name: path.basename(f) })) : null,
      capabilities: {
        window: { workDoneProgress: true },
        workspace: { configuration: true, semanticTokens: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true }, semanticTokens: { requests: { full: { delta: true }, range: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] } },
      },
    });
    await this.conn.sendNotification('initialized', {});
  }

  /** The server's stats once its models are loaded (up to a minute); a usage error when it loaded none. */
  async modelsLoaded(): Promise<ServerStats> {
    let stats = await this.stats();
    for (let i = 0; (stats.loading || stats.models.length === 0) && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await this.stats();
    }
    if (stats.models.length === 0) throw new UsageError(`the server loaded no model (${stats.problems.map((p) => p.message).join('; ') || 'see erlens models'})`);
    return stats;
  }

  stats(): Promise<ServerStats> {
    return this.conn.sendRequest(STATS_REQUEST) as Promise<ServerStats>;
  }

  open(doc: ClientDocument, languageId = 'markdown'): void {
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId, version: doc.version, text: doc.text } });
  }

  change(doc: ClientDocument, start: number, end: number, insert: string): number {
    const change = doc.replace(start, end, insert);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: [change] });
    return doc.version;
  }

  close(doc: ClientDocument): void {
    void this.conn.sendNotification('textDocument/didClose', { textDocument: { uri: doc.uri } });
  }

  /** When complete diagnostics for the document's version `version` arrived. */
  completeAt(uri: string, version: number, timeoutMs: number): Promise<number> {
    return this.until(() => {
      const s = this.statuses.get(uri);
      return s && s.version === version && s.complete ? s.at : undefined;
    }, timeoutMs, `complete diagnostics for ${uri} v${version}`);
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
      void this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 300));
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    this.conn.dispose();
  }
}

export function fileUriOf(p: string): string {
  return pathToFileURL(p).toString();
}
