/**
 * The workspace index as the language server keeps it (erlens.workspaceIndex.enabled): one index per
 * workspace folder (FOLDER/.erlens/index.sqlite; in memory only when the workspace is untrusted), brought
 * up to date once the models are loaded (cancellable progress "ERlens: indexing workspace"), then kept
 * current: an open document's complete annotations replace its rows (unsaved edits and corrections
 * included), files changed or deleted on disk are re-read or dropped, a closed document is re-read from
 * disk. Queries merge the folders' answers.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancellationTokenSource } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import type { DocumentAnnotations } from '../annotations/types';
import type { StopSignal } from '../model/abort';
import { indexFileOf, isUnder, modelsFingerprint, WorkspaceIndexer } from '../workspaceIndex/indexer';
import { TripleIndex } from '../workspaceIndex/tripleIndex';
import type { IndexAnswer, IndexedRelation, IndexQuery, IndexRunSummary } from '../workspaceIndex/types';
import { isProseFile } from '../workspace/proseFiles';
import { stopSignal } from './cancellation';
import type { CancelSignal } from './cancellation';
import type { AnalysisHost } from './analysisHost';
import type { Logger } from './logger';
import type { ErlensSettings } from './settings';

/** What the indexing reads of the server's state (session.ts passes it: a narrow view, so no import cycle). */
export interface IndexingContext {
  readonly logger: Logger;
  settings(): Pick<ErlensSettings, 'workspaceIndexEnabled' | 'maxFileSize'>;
  folders(): string[];
  /** Untrusted workspaces keep the index in memory only. */
  trusted(): boolean;
  isOpen(uri: string): boolean;
  host(): Promise<AnalysisHost | undefined>;
  /** Annotations as the editor shows them: the user's corrections applied. */
  corrected(annotations: DocumentAnnotations, text: string): DocumentAnnotations;
  workDoneProgress(): boolean;
}

/** Saves wait this long after the last change: a burst of edits writes the file once. */
const SAVE_DELAY_MS = 1000;
/**
 * An open document's annotations enter the index this long after its last complete publish, and a
 * query takes what is pending first. While the user types every edit publishes (annotations moved
 * through the edit), and rewriting a document's rows on each of 10,000 keystrokes kept the server busy
 * for minutes; the wait also grows with what the last put cost (four times it), so a huge document
 * cannot take the message loop over while it is being edited. A note of a few hundred rows is in the
 * index within a second of its annotations.
 */
const DOCUMENT_DELAY_MS = { least: 300, most: 5000, perPutMs: 4 };

export class WorkspaceIndexing {
  private readonly indexers = new Map<string, WorkspaceIndexer>(); // folder -> indexer
  private opened?: Promise<void>;
  private current?: { stop: CancelSignal; cancel(): void; done: Promise<IndexRunSummary[]> };
  private saveTimer?: NodeJS.Timeout;
  /** Open documents' latest complete annotations not yet in the index, by URI. */
  private readonly pendingDocuments = new Map<string, { text: string; annotations: DocumentAnnotations }>();
  private documentTimer?: NodeJS.Timeout;
  private lastPutMs = 0;
  private fingerprint = '';

  constructor(
    private readonly context: IndexingContext,
    private readonly connection: Connection,
  ) {}

  get enabled(): boolean {
    return this.context.settings().workspaceIndexEnabled && this.context.folders().length > 0;
  }

  get indexing(): boolean {
    return [...this.indexers.values()].some((i) => i.indexing);
  }

  /** Opens each folder's index (once); a corrupt file is set aside and rebuilt (logged). */
  private open(): Promise<void> {
    this.opened ??= (async () => {
      for (const folder of this.context.folders()) {
        const file = this.context.trusted() ? indexFileOf(folder) : undefined;
        const { index, rebuilt } = await TripleIndex.open(file);
        if (rebuilt) this.context.logger.warn(`workspace index: ${rebuilt}`);
        this.indexers.set(
          folder,
          new WorkspaceIndexer(index, {
            annotate: (uri, text, languageId, stop) => this.annotate(uri, text, languageId, stop),
            models: () => this.fingerprint,
            maxFileSize: () => this.context.settings().maxFileSize,
            warn: (message) => this.context.logger.warn(message),
          }),
        );
      }
    })();
    return this.opened;
  }

  private async annotate(uri: string, text: string, languageId: string, stop?: StopSignal): Promise<DocumentAnnotations | undefined> {
    const host = await this.context.host();
    if (!host) return undefined;
    const annotations = await host.annotate(uri, 0, text, languageId, { signal: stop });
    return annotations && this.context.corrected(annotations, text);
  }

  /**
   * Brings every folder's index up to date (after the models load, on request). A run still going is
   * cancelled first; the returned promise settles when this run ends.
   */
  async reindex(): Promise<IndexRunSummary[]> {
    if (!this.enabled) return [];
    const host = await this.context.host();
    if (!host) return [];
    this.fingerprint = modelsFingerprint(host.models);
    await this.open();
    if (this.current) {
      this.current.cancel();
      await this.current.done.catch(() => undefined);
    }
    const progress = this.context.workDoneProgress() ? await this.connection.window.createWorkDoneProgress() : undefined;
    // Stopped by a newer run (or the setting) through `source`, or by the cancel button of the progress.
    const source = new CancellationTokenSource();
    const stop = progress ? stopSignal(source.token, progress.token) : stopSignal(source.token);
    progress?.begin('ERlens: indexing workspace', 0, undefined, true);
    const done = (async () => {
      const summaries: IndexRunSummary[] = [];
      try {
        for (const [folder, indexer] of this.indexers) {
          const summary = await indexer.run([folder], {
            stop,
            isOpen: (uri) => this.context.isOpen(uri),
            progress: (i, total, file) => progress?.report(Math.round((100 * i) / Math.max(1, total)), `${i + 1}/${total} ${path.basename(file)}`),
          });
          summaries.push(summary);
          for (const s of summary.skipped) this.context.logger.warn(`workspace index: skipped ${s.uri}: ${s.reason}`);
          this.context.logger.info(
            `workspace index ${folder}: ${summary.files} files, ${summary.indexed} annotated, ${summary.unchanged} unchanged, ${summary.removed} removed, ` +
              `${summary.skipped.length} skipped, ${summary.relations} relations in ${summary.seconds.toFixed(1)} s${summary.cancelled ? ' (cancelled)' : ''}`,
          );
          if (summary.cancelled) break;
        }
      } finally {
        progress?.done();
      }
      return summaries;
    })();
    const run = { stop, cancel: () => source.cancel(), done };
    this.current = run;
    try {
      return await done;
    } finally {
      if (this.current === run) this.current = undefined;
    }
  }

  /** The folder whose index holds `uri` (undefined: not a file of the workspace). */
  private indexerOf(uri: string): WorkspaceIndexer | undefined {
    for (const [folder, indexer] of this.indexers) if (isUnder(uri, [folder])) return indexer;
    return undefined;
  }

  /** An open document's annotations as the editor shows them; only complete ones enter the index (after DOCUMENT_DELAY_MS). */
  documentAnnotated(uri: string, text: string, annotations: DocumentAnnotations, complete: boolean): void {
    if (!complete || !this.enabled || !this.fingerprint || !isProseUri(uri)) return;
    this.pendingDocuments.set(uri, { text, annotations });
    if (this.documentTimer) clearTimeout(this.documentTimer);
    const { least, most, perPutMs } = DOCUMENT_DELAY_MS;
    this.documentTimer = setTimeout(() => this.putPendingDocuments(), Math.min(most, least + perPutMs * this.lastPutMs));
    this.documentTimer.unref?.();
  }

  private putPendingDocuments(): void {
    if (this.documentTimer) clearTimeout(this.documentTimer);
    this.documentTimer = undefined;
    if (this.pendingDocuments.size === 0) return;
    const t0 = performance.now();
    for (const [uri, { text, annotations }] of this.pendingDocuments) {
      try {
        this.indexerOf(uri)?.putAnnotations(text, annotations);
      } catch (error) {
        this.context.logger.warn(`workspace index: ${uri}: ${(error as Error).message}`);
      }
    }
    this.pendingDocuments.clear();
    this.lastPutMs = performance.now() - t0;
    this.saveSoon();
  }

  /** A file changed, appeared or went away on disk (or an open document was closed: its saved text counts again). */
  async fileChanged(uri: string, deleted: boolean): Promise<void> {
    // A closed document's unsaved annotations no longer count.
    if (!this.context.isOpen(uri)) this.pendingDocuments.delete(uri);
    if (!this.enabled || !this.fingerprint || this.context.isOpen(uri)) return;
    const indexer = this.indexerOf(uri);
    if (!indexer) return;
    if (deleted || !isProseUri(uri)) indexer.index.remove(uri);
    else {
      const outcome = await indexer.indexFile(fileURLToPath(uri));
      if (outcome.skipped) this.context.logger.warn(`workspace index: skipped ${uri}: ${outcome.skipped}`);
    }
    this.saveSoon();
  }

  async query(q: IndexQuery): Promise<IndexAnswer> {
    const t0 = performance.now();
    if (this.enabled) await this.open();
    this.putPendingDocuments();
    const answers = [...this.indexers.values()].map((i) => i.index.query(q, this.indexing));
    const relations = answers.flatMap((a) => a.relations).slice(0, q.limit ?? Number.MAX_SAFE_INTEGER);
    return {
      query: q,
      relations,
      total: answers.reduce((n, a) => n + a.total, 0),
      documents: answers.reduce((n, a) => n + a.documents, 0),
      indexing: this.indexing,
      milliseconds: performance.now() - t0,
    };
  }

  /** Every indexed relation of every folder (the workspace graph), pending open documents included. */
  async allRelations(): Promise<IndexedRelation[]> {
    if (this.enabled) await this.open();
    this.putPendingDocuments();
    return [...this.indexers.values()].flatMap((i) => i.index.allRelations());
  }

  async entityTexts(prefix: string, limit?: number): Promise<{ text: string; type: string; mentions: number }[]> {
    if (this.enabled) await this.open();
    this.putPendingDocuments();
    const merged = new Map<string, { text: string; type: string; mentions: number }>();
    for (const indexer of this.indexers.values()) {
      for (const e of indexer.index.entityTexts(prefix, limit)) {
        const key = `${e.type}\u0000${e.text.toLowerCase()}`;
        const had = merged.get(key);
        if (had) had.mentions += e.mentions;
        else merged.set(key, { ...e });
      }
    }
    return [...merged.values()].sort((a, b) => b.mentions - a.mentions).slice(0, limit ?? 50);
  }

  private saveSoon(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.save(), SAVE_DELAY_MS);
    this.saveTimer.unref?.();
  }

  /** Writes every changed index (also at shutdown). */
  async save(): Promise<void> {
    this.putPendingDocuments();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    for (const [folder, indexer] of this.indexers) {
      try {
        await indexer.index.save();
      } catch (error) {
        this.context.logger.warn(`workspace index ${folder}: could not save: ${(error as Error).message}`);
      }
    }
  }

  /** Stops indexing (the setting was turned off, or the server is shutting down) and saves. */
  async stop(): Promise<void> {
    this.current?.cancel();
    await this.current?.done.catch(() => undefined);
    await this.save();
  }
}

function isProseUri(uri: string): boolean {
  try {
    return isProseFile(fileURLToPath(uri));
  } catch {
    return false;
  }
}
