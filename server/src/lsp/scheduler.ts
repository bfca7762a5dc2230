/**
 * Decides when each open document is (re)annotated and keeps its latest annotations.
 * - Edits are debounced (`erlens.debounceMs`); each run gets an AbortController, aborted as soon as a
 *   newer version arrives or the document closes, so stale work stops early instead of queueing.
 * - Results for a version that is no longer current are dropped (a newer run is already scheduled).
 * - Until a new result lands, the previous one is kept, shifted through each edit (annotationShift),
 *   so requests are answered immediately and at the right offsets.
 * - The Annotator is async (ORT sessions run off the JS thread), so awaiting it never blocks the
 *   message loop: hovers and token requests are served while inference runs.
 */
import type { DocumentAnnotations } from '../pipeline/types';
import type { AnnotatorPort } from './annotatorPort';
import { shiftAnnotations } from './annotationShift';
import type { TextReplacement } from './annotationShift';
import type { Logger } from './logger';

export interface SchedulableDocument {
  uri: string;
  version: number;
  languageId: string;
  getText(): string;
}

interface DocState {
  timer?: NodeJS.Timeout;
  running?: AbortController;
  runningVersion?: number;
  latest?: DocumentAnnotations;
  priority: number[];
  /** Last range the editor asked tokens for: a good guess of what is on screen. */
  visible?: [number, number];
  /** Resolvers waiting for the document to have annotations for its current version. */
  waiters: (() => void)[];
  /** The routing line last logged for the document. */
  routed?: string;
}

export interface SchedulerHooks {
  getDocument(uri: string): SchedulableDocument | undefined;
  /** Waits for models still loading; undefined when none could be loaded. */
  getAnnotator(): Promise<AnnotatorPort | undefined>;
  debounceMs(): number;
  maxFileSize(): number;
  /** Called with fresh annotations for the document's current version. */
  onAnnotated(uri: string, annotations: DocumentAnnotations): void;
  logger: Logger;
}

/** A NUL in the first 8 KB: binary content, not prose — skip it rather than feed garbage to the model. */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

export function emptyAnnotations(uri: string, version: number): DocumentAnnotations {
  return { uri, version, sentences: [], entities: [], relations: [], stats: { sentences: 0, inferred: 0, cacheHits: 0, models: [] } };
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || (error as { code?: string } | undefined)?.code === 'ABORT_ERR';
}

export class AnnotationScheduler {
  private readonly docs = new Map<string, DocState>();
  /** Sentences inferred by runs that completed (sum of stats.inferred), for erlens/stats. */
  inferredSentences = 0;
  runsCompleted = 0;
  runsAborted = 0;

  constructor(private readonly hooks: SchedulerHooks) {}

  private state(uri: string): DocState {
    let s = this.docs.get(uri);
    if (!s) {
      s = { priority: [], waiters: [] };
      this.docs.set(uri, s);
    }
    return s;
  }

  /** Latest annotations for the document, in the coordinates of its current text. */
  get(uri: string): DocumentAnnotations | undefined {
    return this.docs.get(uri)?.latest;
  }

  /** Whether a run is pending or in flight for the document. */
  isBusy(uri: string): boolean {
    const s = this.docs.get(uri);
    return !!s && (s.timer !== undefined || s.running !== undefined);
  }

  busyCount(): number {
    let n = 0;
    for (const uri of this.docs.keys()) if (this.isBusy(uri)) n++;
    return n;
  }

  /** Moves the kept annotations through one edit and remembers where the user is typing. */
  applyEdit(uri: string, replacement: TextReplacement, newVersion: number): void {
    const s = this.state(uri);
    if (s.latest) s.latest = shiftAnnotations(s.latest, replacement, newVersion);
    const delta = replacement.insertedLength - (replacement.end - replacement.start);
    s.priority = s.priority.map((p) => (p >= replacement.end ? p + delta : p)).filter((p) => p >= 0);
    s.priority.push(replacement.start);
    if (s.priority.length > 32) s.priority = s.priority.slice(-32);
  }

  noteVisibleRange(uri: string, start: number, end: number): void {
    this.state(uri).visible = [start, end];
  }

  /** Schedules a run: after the debounce for edits, at once for open/config changes. */
  schedule(uri: string, immediate = false): void {
    const s = this.state(uri);
    if (s.timer) clearTimeout(s.timer);
    // A run for an older version is now useless: stop it rather than let it finish.
    const doc = this.hooks.getDocument(uri);
    if (s.running && doc && s.runningVersion !== doc.version) s.running.abort();
    const delay = immediate ? 0 : this.hooks.debounceMs();
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.run(uri);
    }, delay);
  }

  /** Re-annotates every known document (models or settings changed). */
  rescheduleAll(): void {
    for (const [uri, s] of this.docs) {
      s.running?.abort(); // its result would come from the old models
      if (this.hooks.getDocument(uri)) this.schedule(uri, true);
    }
  }

  close(uri: string): void {
    const s = this.docs.get(uri);
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    s.running?.abort();
    for (const w of s.waiters) w();
    this.docs.delete(uri);
  }

  /** Resolves once the document has annotations for its current version, or it closes (tests, export). */
  whenCurrent(uri: string, timeoutMs = 120_000): Promise<void> {
    const s = this.docs.get(uri);
    const doc = this.hooks.getDocument(uri);
    if (!s || !doc || (s.latest?.version === doc.version && !this.isBusy(uri))) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      s.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Sentences to infer first, as indices into the previous result's sentences (the new segmentation is
   * not known yet; after a typical edit the indices are the same): edited ones, then the visible range.
   */
  private priorityFor(s: DocState): number[] {
    const sentences = s.latest?.sentences ?? [];
    if (sentences.length === 0) return [];
    const out: number[] = [];
    const at = (offset: number) => {
      const i = sentences.findIndex((x) => x.end >= offset);
      out.push(i < 0 ? sentences[sentences.length - 1].index : sentences[i].index);
    };
    for (const offset of s.priority) at(offset);
    if (s.visible) for (const x of sentences) if (x.end >= s.visible[0] && x.start <= s.visible[1]) out.push(x.index);
    return out;
  }

  private async run(uri: string): Promise<void> {
    const s = this.docs.get(uri);
    if (!s) return;
    s.running?.abort();
    const controller = new AbortController();
    s.running = controller;
    const annotator = await this.hooks.getAnnotator();
    // Read the document only now: it may have changed or closed while the models loaded.
    const doc = this.hooks.getDocument(uri);
    if (!doc || controller.signal.aborted || this.docs.get(uri) !== s) {
      if (s.running === controller) s.running = undefined;
      return;
    }
    const { version, languageId } = doc;
    const text = doc.getText();
    const log = this.hooks.logger;

    if (text.length > this.hooks.maxFileSize() || looksBinary(text) || !annotator) {
      if (text.length > this.hooks.maxFileSize()) log.info(`skipping ${uri}: ${text.length} characters exceed erlens.maxFileSize`);
      else if (looksBinary(text)) log.info(`skipping ${uri}: binary content`);
      if (s.running === controller) s.running = undefined;
      this.finish(uri, s, emptyAnnotations(uri, version));
      return;
    }
    s.runningVersion = version;
    const started = Date.now();
    try {
      const annotations = await annotator.annotate(uri, version, text, languageId, { signal: controller.signal, priority: this.priorityFor(s) });
      if (controller.signal.aborted) {
        this.runsAborted++;
        return;
      }
      this.inferredSentences += annotations.stats?.inferred ?? 0;
      this.runsCompleted++;
      log.debug(`annotated ${uri} v${version}: ${annotations.stats?.sentences ?? 0} sentences, ${annotations.stats?.inferred ?? 0} inferred, ${annotations.entities.length} entities, ${annotations.relations.length} relations in ${Date.now() - started} ms`);
      // Say once per change which models a document got and why (routing/domainRouter.ts), so a user who
      // wonders why the news model is silent on a note finds the answer in the log.
      const routing = annotations.stats?.routing;
      const routed = routing ? `${routing.reason}${routing.notRun.length ? `; not run: ${routing.notRun.join(', ')}` : ''}` : '';
      if (routed !== s.routed) {
        s.routed = routed;
        if (routed) log.info(`${uri}: ${routed}`);
      }
      const current = this.hooks.getDocument(uri);
      // Closed, or edited meanwhile: a newer run owns the document now.
      if (!current || current.version !== version || this.docs.get(uri) !== s) return;
      s.priority = [];
      this.finish(uri, s, annotations);
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) {
        this.runsAborted++;
        return;
      }
      log.error(`annotating ${uri} v${version} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      // Keep the previous (shifted) annotations; answer requests with them rather than nothing.
      if (this.docs.get(uri) === s && s.latest) s.latest = { ...s.latest, version };
      this.releaseWaiters(s);
    } finally {
      if (s.running === controller) {
        s.running = undefined;
        s.runningVersion = undefined;
      }
    }
  }

  private finish(uri: string, s: DocState, annotations: DocumentAnnotations): void {
    s.latest = annotations;
    this.hooks.onAnnotated(uri, annotations);
    this.releaseWaiters(s);
  }

  private releaseWaiters(s: DocState): void {
    const waiters = s.waiters;
    s.waiters = [];
    for (const w of waiters) w();
  }
}
