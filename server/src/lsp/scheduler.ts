/**
 * Decides when each open document is analysed, and keeps its annotations (documentResults.ts).
 *
 * - Adaptive debounce: the first edit after the document was idle is analysed at once; an edit that
 *   arrives while a request waits or runs marks a burst, and the next request goes out
 *   `erlens.debounceMs` after the burst's last edit. Typing at a normal pace gets every keystroke
 *   analysed (an edit re-infers one sentence); a paste storm or a replay of 10,000 edits gets one run.
 * - One request per document in flight. An edit makes the running one stale through the stop board
 *   (analysisHost.ts): the worker stops before its next batch and says so, and only then is the next
 *   request sent, with every edit since the last one. So the work after a burst is bounded by one batch
 *   plus the final text's own work.
 * - Patches are applied as they arrive and published (partial results for a cold document, in waves,
 *   visible range first); between patches the kept annotations follow the edits.
 */
import { documentSkipReason } from '../text/documentGate';
import type { AnnotationPatch, DocumentAnnotations } from '../annotations/types';
import type { AnalysisHost } from './analysisHost';
import type { FromWorker } from './analysisProtocol';
import { DocumentResults } from './documentResults';
import type { TextReplacement } from '../text/editMap';
import type { Logger } from './logger';

export interface SchedulableDocument {
  uri: string;
  version: number;
  languageId: string;
  getText(): string;
}

export interface SchedulerHooks {
  getDocument(uri: string): SchedulableDocument | undefined;
  /** Waits for models still loading; undefined when none could be loaded. */
  getHost(): Promise<AnalysisHost | undefined>;
  debounceMs(): number;
  maxFileSize(): number;
  /**
   * Fresh annotations for the document's current version (after a patch, or when they were cleared);
   * `complete`: they cover every sentence of this version.
   */
  onAnnotated(uri: string, annotations: DocumentAnnotations, complete: boolean, progress?: { done: number; total: number }): void;
  /** Progress of a document's analysis (sentences inferred of those to infer); undefined: the run ended. */
  onProgress?(uri: string, progress: { done: number; total: number } | undefined): void;
  logger: Logger;
}


interface DocState {
  results: DocumentResults;
  slot: number;
  /** The host the slot belongs to. */
  host?: AnalysisHost;
  timer?: NodeJS.Timeout;
  inFlight?: { version: number; host: AnalysisHost; generation: number };
  /** The text changed since the last request went out (or nothing was sent yet). */
  wanted: boolean;
  lastEdit: number;
  /** An edit arrived while a request waited or ran: debounce until the burst ends. */
  burst: boolean;
  visible?: { start: number; end: number };
  waiters: (() => void)[];
  routed?: string;
}

export class AnnotationScheduler {
  private readonly docs = new Map<string, DocState>();
  inferredSentences = 0;
  runsCompleted = 0;
  runsAborted = 0;

  constructor(private readonly hooks: SchedulerHooks) {}

  private state(uri: string): DocState {
    let s = this.docs.get(uri);
    if (!s) {
      const doc = this.hooks.getDocument(uri);
      s = { results: new DocumentResults(uri, doc?.version ?? 0), slot: -1, wanted: true, lastEdit: 0, burst: false, waiters: [] };
      this.docs.set(uri, s);
    }
    return s;
  }

  /** Latest annotations for the document, in the coordinates of its current text. */
  get(uri: string): DocumentAnnotations | undefined {
    return this.docs.get(uri)?.results.view();
  }

  /** Whether the document's annotations cover every sentence of its current text. */
  isComplete(uri: string): boolean {
    const s = this.docs.get(uri);
    return !!s && this.isCurrent(s);
  }

  /** Whether a request waits or runs for the document. */
  isBusy(uri: string): boolean {
    const s = this.docs.get(uri);
    return !!s && (s.timer !== undefined || s.inFlight !== undefined || s.wanted);
  }

  busyCount(): number {
    let n = 0;
    for (const uri of this.docs.keys()) if (this.isBusy(uri)) n++;
    return n;
  }

  /** A newly opened document: analysed at once. */
  open(uri: string): void {
    const s = this.state(uri);
    s.wanted = true;
    this.arm(uri, s);
  }

  /** One edit (in the coordinates of the text as the previous edits left it), already applied to the document. */
  edit(uri: string, replacement: TextReplacement, newVersion: number): void {
    const s = this.state(uri);
    s.results.edit(replacement, newVersion);
    const busy = s.timer !== undefined || s.inFlight !== undefined;
    if (busy) s.burst = true;
    s.lastEdit = Date.now();
    s.wanted = true;
    // The running request is for an older text: it stops before its next batch.
    if (s.inFlight) s.inFlight.host.stopSlot(s.slot);
  }

  /** After a didChange's edits: (re)arm the document's request according to the debounce. */
  changed(uri: string): void {
    const s = this.docs.get(uri);
    if (s) this.arm(uri, s);
  }

  noteVisibleRange(uri: string, start: number, end: number): void {
    this.state(uri).visible = { start, end };
  }

  /**
   * Every document again, at once (models or settings changed, or the worker was restarted). The
   * `culprits` (what a dead worker was analysing) are cleared instead, until they are edited.
   */
  rescheduleAll(culprits: readonly string[] = []): void {
    for (const uri of culprits) {
      const s = this.docs.get(uri);
      if (!s) continue;
      s.inFlight = undefined;
      if (s.timer) clearTimeout(s.timer);
      s.timer = undefined;
      this.hooks.logger.error(`${uri} is not analysed until it changes: the analysis worker stopped while analysing it`);
      this.clear(uri, s, 'skipped: the analysis stopped on this document (out of memory?); it is analysed again when it changes');
    }
    for (const [uri, s] of this.docs) {
      if (culprits.includes(uri)) continue;
      s.inFlight?.host.stopSlot(s.slot);
      s.inFlight = undefined;
      s.wanted = true;
      s.burst = false;
      if (this.hooks.getDocument(uri)) this.arm(uri, s);
    }
  }

  close(uri: string): void {
    const s = this.docs.get(uri);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    s.host?.releaseSlot(s.slot); // stops a run in flight before its next batch
    s.host?.close(uri);
    this.hooks.onProgress?.(uri, undefined);
    this.docs.delete(uri);
    this.release(s);
  }

  /** Resolves once the document has complete annotations for its current version, or it closes (tests, export). */
  whenCurrent(uri: string, timeoutMs = 120_000): Promise<void> {
    const s = this.docs.get(uri);
    if (!s || !this.hooks.getDocument(uri) || this.isCurrent(s)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      s.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private isCurrent(s: DocState): boolean {
    return !s.wanted && !s.inFlight && !s.timer && s.results.complete;
  }

  /** Starts the timer of the next request: now when idle, debounceMs after the last edit in a burst. */
  private arm(uri: string, s: DocState): void {
    if (s.inFlight || !s.wanted) return; // the run's end re-arms
    if (s.timer) clearTimeout(s.timer);
    const quiet = Date.now() - s.lastEdit;
    const delay = s.burst ? Math.max(0, this.hooks.debounceMs() - quiet) : 0;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.send(uri, s);
    }, delay);
  }

  private async send(uri: string, s: DocState): Promise<void> {
    const host = await this.hooks.getHost();
    // Read the document only now: it may have changed or closed while the models loaded.
    const doc = this.hooks.getDocument(uri);
    if (!doc || this.docs.get(uri) !== s || s.inFlight || s.timer) return;
    const log = this.hooks.logger;
    const text = doc.getText();
    const skipped = !host ? 'no model is loaded' : documentSkipReason(text, this.hooks.maxFileSize(), 'erlens.maxFileSize');
    if (skipped) {
      if (host) log.info(`skipping ${uri}: ${skipped}`);
      this.clear(uri, s, skipped);
      return;
    }
    if (s.host !== host) {
      // A new worker (models reloaded): the document starts afresh there, in a slot of its own.
      s.host?.releaseSlot(s.slot);
      s.host = host!;
      s.slot = host!.allocateSlot();
    }
    const { changes, focus } = s.results.cut();
    s.wanted = false;
    const generation = host!.analyze({ uri, slot: s.slot, version: doc.version, languageId: doc.languageId, text, changes, visible: s.visible, focus });
    s.inFlight = { version: doc.version, host: host!, generation };
  }

  /** Nothing to analyse: empty annotations now, and the worker forgets the document. */
  private clear(uri: string, s: DocState, reason: string): void {
    s.wanted = false;
    s.burst = false;
    s.host?.close(uri);
    s.results.clear(reason);
    this.hooks.onAnnotated(uri, s.results.view(), true);
    this.release(s);
  }

  /** A patch from the worker. */
  onPatch(host: AnalysisHost, patch: AnnotationPatch): void {
    const s = this.docs.get(patch.uri);
    if (!s || s.host !== host || patch.version > s.results.currentVersion) return;
    try {
      s.results.apply(patch);
    } catch (err) {
      // The worker counts these chunks as sent: kept annotations would silently miss them. Say so,
      // stop the run, and have the worker forget the document, so the next edit analyses it afresh.
      const message = err instanceof Error ? err.message : String(err);
      this.hooks.logger.error(`${patch.uri}: the analysis results could not be applied: ${(err instanceof Error && err.stack) || message}`);
      if (s.inFlight) s.inFlight.host.stopSlot(s.slot);
      this.clear(patch.uri, s, `skipped: the analysis results could not be applied (${message}); it is analysed again when it changes`);
      return;
    }
    if (patch.progress) this.hooks.onProgress?.(patch.uri, patch.progress);
    // Say once per change which models a document got and why (routing/domainRouter.ts), so a user who
    // wonders why the news model is silent on a note finds the answer in the log.
    const routing = patch.stats.routing;
    const routed = routing ? `${routing.reason}${routing.notRun.length ? `; not run: ${routing.notRun.join(', ')}` : ''}` : '';
    if (patch.complete && routed !== s.routed) {
      s.routed = routed;
      if (routed) this.hooks.logger.info(`${patch.uri}: ${routed}`);
    }
    this.hooks.onAnnotated(patch.uri, s.results.view(), s.results.complete, patch.progress);
  }

  /** A request ended (complete, stopped because the text changed, skipped or failed). */
  onFinished(host: AnalysisHost, m: Extract<FromWorker, { type: 'finished' }>): void {
    const s = this.docs.get(m.uri);
    if (!s || s.inFlight?.host !== host || s.inFlight.generation !== m.generation) return;
    s.inFlight = undefined;
    this.hooks.onProgress?.(m.uri, undefined);
    const log = this.hooks.logger;
    if (m.outcome === 'complete') {
      this.runsCompleted++;
      this.inferredSentences += m.inferred;
      log.debug(`annotated ${m.uri} v${m.version}: ${m.inferred} sentences inferred`);
    } else if (m.outcome === 'stopped') this.runsAborted++;
    else if (m.outcome === 'skipped') {
      log.info(`skipping ${m.uri}: ${m.reason}`);
      s.results.clear(m.reason);
      this.hooks.onAnnotated(m.uri, s.results.view(), true);
    } else log.error(`annotating ${m.uri} v${m.version} failed: ${m.reason}`);
    // A failure is not retried until the text changes: the same text would fail the same way.
    if (s.wanted) this.arm(m.uri, s);
    else {
      s.burst = false;
      if (this.isCurrent(s) || m.outcome !== 'complete') this.release(s);
    }
  }

  private release(s: DocState): void {
    const waiters = s.waiters;
    s.waiters = [];
    for (const w of waiters) w();
  }
}
