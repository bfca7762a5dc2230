/**
 * One document's analysis, kept across edits: segmentation, each model's result per sentence, and the
 * merged, assertion-tagged annotations per sentence. An edit costs what it touched:
 *
 *  - segmentation re-reads the touched paragraphs (text/documentSegmentation.ts) and keeps every other
 *    chunk, with its sentences and their results, as the same objects;
 *  - only sentences without a result are looked up in the cache and, when missing, inferred, in waves
 *    ordered by priority (visible range, then where the user edits, then from the top);
 *  - only sentences whose results or section changed are merged and tagged again;
 *  - results leave as patches (types.ts AnnotationPatch): the chunks not yet sent, as replacements of
 *    their ranges, so the language server never rebuilds the whole document either.
 *
 * The document's domain (routing) is the sum of per-sentence word scores, so it is recomputed cheaply
 * on every run; when the set of models that fit changes, every sentence is merged and sent again.
 * A from-scratch analysis (`erlens extract`, exports) is the same code on a fresh instance, so an edited
 * document ends with exactly the annotations a fresh run on its final text gives.
 */
import type { AssertionTagger, Section } from '../assertion/tagger';
import { AbortError, isAbortError, throwIfAborted } from '../model/abort';
import type { StopSignal } from '../model/abort';
import type { ModelRunner } from '../model/runner';
import type { DomainDecision, DomainRouter } from '../routing/domainRouter';
import { fits } from '../routing/domainRouter';
import { absoluteSentence, DocumentSegmentation } from '../text/documentSegmentation';
import type { Chunk, ChunkSentence } from '../text/documentSegmentation';
import type { EditMap } from '../text/editMap';
import { clinicalSectionTitle } from '../text/labels';
import { SentenceCache } from './cache';
import { mergeSentence, numberAnnotations } from './merge';
import type { ModelResult } from './merge';
import type { Assertion, AnnotationPatch, DocumentAnnotations, EntityAnnotation, PatchRange, RelationAnnotation } from '../annotations/types';
import type { SentenceResult } from '../decoders/types';
import type { SentenceSpan } from '../text/types';
import { appendAll } from '../arrays';

/** What an analysis needs from the loaded models (the Annotator is one). */
export interface AnalysisEngine {
  readonly runners: readonly ModelRunner[];
  readonly cache: SentenceCache;
  readonly tagger: AssertionTagger;
  readonly router: DomainRouter | null;
  /** Whether a package's annotations get assertion status from ConText (clinical packages). */
  isClinical(model: string): boolean;
  /** A batch failed (not aborted): say so once; its sentences get no result from that model. */
  reportRunFailure(runner: ModelRunner, error: unknown): void;
}

export interface RunOptions {
  stop?: StopSignal;
  /** Document offsets to analyse first: the visible range, then where the user edits. */
  visible?: { start: number; end: number };
  focus?: readonly number[];
  /** Called with each patch: the first as soon as the first wave is done, then at most every `patchIntervalMs`. */
  onPatch?(patch: AnnotationPatch): void;
  patchIntervalMs?: number;
  /** Sentences inferred per wave before results are merged and may be sent (default 32). */
  waveSentences?: number;
}

export type RunOutcome = 'complete' | 'stopped';

/** The per-sentence state a run builds up. */
interface SentenceState {
  words: string[];
  /** Each model's result, by model id. */
  results: Map<string, SentenceResult>;
  router?: { scores: number[]; known: number };
  /** For a heading: the clinical section title it names (null: none), for routing. */
  sectionTitle?: string | null;
  /** For a heading: the section it opens (null: none), looked up once. */
  opens?: Section | null;
  /** Merged and tagged, in chunk-relative offsets, for the models and section named (the same Section object while its heading stays). */
  annotations?: { entities: EntityAnnotation[]; relations: RelationAnnotation[]; models: string; section: Section | undefined };
}

const DEFAULT_PATCH_INTERVAL_MS = 200;
const DEFAULT_WAVE = 32;

export class DocumentAnalysis {
  private readonly segmentation: DocumentSegmentation;
  private text: string;
  private readonly states = new WeakMap<ChunkSentence, SentenceState>();
  /** Chunks whose current annotations the receiver of the patches has. */
  private readonly sent = new WeakSet<Chunk>();
  /** The models that fit the document at the last run, joined: a change re-merges everything. */
  private fitting = '';
  private decision: DomainDecision | undefined;
  private readonly sectionObjects = new Map<string, Section>();
  /** Inferred sentences and cache hits of the last run, for the snapshot's stats. */
  private counts = { inferred: 0, cacheHits: 0 };

  constructor(
    private readonly engine: AnalysisEngine,
    readonly uri: string,
    languageId: string,
    text: string,
    public version = 0,
  ) {
    this.text = text;
    this.segmentation = new DocumentSegmentation(text, languageId);
  }

  get sentenceCount(): number {
    let n = 0;
    for (const c of this.segmentation.chunks) n += c.sentences.length;
    return n;
  }

  /** Brings the analysis to a new text (`map`: the edits from the previous one; without it, a diff). */
  update(text: string, version: number, map?: EditMap): void {
    this.version = version;
    // The same text after edits (a letter typed and deleted) still re-reads what the edits touched:
    // the language server dropped the annotations there when it moved them through the same map
    // (pipeline/shift.ts), so those chunks must be sent again or they stay blank there.
    if (text === this.text && !(map && map.size > 0)) return;
    this.segmentation.update(text, map);
    this.text = text;
  }

  /**
   * Analyses every sentence that lacks annotations, sending patches as results land. Resolves
   * 'stopped' when `stop` turned true (after sending what was complete), 'complete' otherwise.
   */
  async run(options: RunOptions = {}): Promise<RunOutcome> {
    const { stop } = options;
    const counts = { inferred: 0, cacheHits: 0 };
    this.counts = counts;
    let lastPatch = -1;
    const send = (complete: boolean, progress?: { done: number; total: number }) => {
      const patch = this.patch(complete, counts, progress);
      if (patch.ranges.length > 0 || complete) options.onPatch?.(patch);
      lastPatch = Date.now();
    };

    this.route();
    const { order, sections } = this.plan(options);
    const missing = this.lookUp(order, counts);
    const total = missing.reduce((n, m) => n + m.keys.length, 0);
    let done = 0;
    try {
      const wave = Math.max(1, options.waveSentences ?? DEFAULT_WAVE);
      const longest = missing.reduce((n, m) => Math.max(n, m.keys.length), 0);
      // Waves in priority order over every model, so the first sentences shown are complete for all of them.
      for (let from = 0; from < longest; from += wave) {
        for (const m of missing) {
          const keys = m.keys.slice(from, from + wave);
          if (keys.length === 0) continue;
          throwIfAborted(stop);
          await this.infer(m.runner, keys, m.waiting, stop);
          counts.inferred += keys.length;
          done += keys.length;
        }
        // A partial patch only when more waves follow (the last one is the complete patch below).
        if (from + wave >= longest) break;
        this.annotateComplete(order, sections);
        const interval = options.patchIntervalMs ?? DEFAULT_PATCH_INTERVAL_MS;
        if (lastPatch < 0 || Date.now() - lastPatch >= interval) send(false, { done, total });
      }
    } catch (err) {
      if (!isAbortError(err)) throw err;
      this.annotateComplete(order, sections);
      send(false, { done, total });
      return 'stopped';
    }
    this.annotateComplete(order, sections);
    send(true, total > 0 ? { done, total } : undefined);
    return 'complete';
  }

  /** The whole document's annotations (every sentence must be analysed: call after a complete run). */
  snapshot(): DocumentAnnotations {
    const sentences: SentenceSpan[] = [];
    const entities: EntityAnnotation[] = [];
    const relations: RelationAnnotation[] = [];
    for (const chunk of this.segmentation.chunks) {
      for (const s of chunk.sentences) {
        const index = sentences.length;
        sentences.push(absoluteSentence(s, index));
        this.absolute(s, index, entities, relations);
      }
    }
    numberAnnotations(entities, relations);
    return { uri: this.uri, version: this.version, sentences, entities, relations, stats: this.stats(this.counts) };
  }

  /** The document's domain from the per-sentence scores, and the models that fit it. */
  private route(): void {
    const { router, runners } = this.engine;
    let decision: DomainDecision | undefined;
    if (router && runners.some((r) => r.meta.domain)) {
      const totals = new Array<number>(router.classes.length).fill(0);
      let known = 0;
      const titles = new Set<string>();
      for (const chunk of this.segmentation.chunks) {
        for (const s of chunk.sentences) {
          const st = this.state(s);
          st.router ??= router.scores(st.words);
          for (let k = 0; k < totals.length; k++) totals[k] += st.router.scores[k];
          known += st.router.known;
          if (s.kind === 'heading') {
            if (st.sectionTitle === undefined) st.sectionTitle = clinicalSectionTitle(st.words);
            if (st.sectionTitle) titles.add(st.sectionTitle);
          }
        }
      }
      decision = router.decideTotals(totals, known, [...titles]);
    }
    this.decision = decision;
    const fitting = runners.filter((r) => fits(r.meta.domain, decision)).map((r) => r.id).join('\u0000');
    if (fitting !== this.fitting) {
      // Other models now: every sentence is merged again and sent again.
      this.fitting = fitting;
      for (const chunk of this.segmentation.chunks) this.sent.delete(chunk);
    }
  }

  private fittingRunners(): ModelRunner[] {
    const ids = new Set(this.fitting.split('\u0000'));
    return this.engine.runners.filter((r) => ids.has(r.id));
  }

  /** Sentences in the order to analyse them, and the section in force at each. */
  private plan(options: RunOptions): { order: ChunkSentence[]; sections: Map<ChunkSentence, Section | undefined> } {
    const chunks = this.segmentation.chunks;
    const first: Chunk[] = [];
    const seen = new Set<Chunk>();
    const take = (c: Chunk | undefined) => {
      if (c && !seen.has(c)) seen.add(c), first.push(c);
    };
    if (options.visible) {
      const { start, end } = options.visible;
      for (let i = chunkAt(chunks, start); i >= 0 && i < chunks.length && chunks[i].start <= end; i++) take(chunks[i]);
    }
    for (const offset of options.focus ?? []) take(chunks[chunkAt(chunks, offset)]);
    const order: ChunkSentence[] = [];
    for (const c of first) appendAll(order, c.sentences);
    for (const c of chunks) if (!seen.has(c)) appendAll(order, c.sentences);
    const sections = new Map<ChunkSentence, Section | undefined>();
    let section: Section | undefined;
    for (const c of chunks) {
      for (const s of c.sentences) {
        if (s.kind === 'heading') {
          const st = this.state(s);
          if (st.opens === undefined) {
            // One object per distinct section: a heading re-read unchanged keeps its sentences' tags.
            const found = this.engine.tagger.sectionAfter(undefined, s);
            const key = found ? `${found.rule.name}\u0000${found.heading}` : '';
            if (found && !this.sectionObjects.has(key)) this.sectionObjects.set(key, found);
            st.opens = found ? this.sectionObjects.get(key)! : null;
          }
          section = st.opens ?? undefined;
        }
        sections.set(s, section);
      }
    }
    return { order, sections };
  }

  /**
   * Cache look-ups for every sentence a fitting model has no result for: hits are filled in, misses
   * come back per model as unique keys in priority order (a sentence repeated in the document runs once).
   */
  private lookUp(order: readonly ChunkSentence[], counts: { cacheHits: number }): Array<{ runner: ModelRunner; keys: string[]; waiting: Map<string, ChunkSentence[]> }> {
    const out: Array<{ runner: ModelRunner; keys: string[]; waiting: Map<string, ChunkSentence[]> }> = [];
    for (const runner of this.fittingRunners()) {
      const waiting = new Map<string, ChunkSentence[]>();
      const keys: string[] = [];
      const sha = runner.graphDigest;
      for (const s of order) {
        if (!reads(runner, s)) continue;
        const st = this.state(s);
        if (st.results.has(runner.id)) continue;
        const key = SentenceCache.key(runner.id, sha, st.words);
        const queued = waiting.get(key);
        if (queued) {
          queued.push(s);
          continue;
        }
        const hit = this.engine.cache.get(key);
        if (hit) {
          st.results.set(runner.id, hit);
          counts.cacheHits++;
        } else {
          waiting.set(key, [s]);
          keys.push(key);
        }
      }
      out.push({ runner, keys, waiting });
    }
    return out;
  }

  /** One model on the sentences of `keys`; a failing batch leaves them with no entities from it. */
  private async infer(runner: ModelRunner, keys: readonly string[], waiting: ReadonlyMap<string, ChunkSentence[]>, stop: StopSignal | undefined): Promise<void> {
    const words = keys.map((k) => this.state(waiting.get(k)![0]).words);
    let out: SentenceResult[];
    try {
      out = await runner.run(words, stop);
    } catch (err) {
      if (isAbortError(err)) throw err;
      this.engine.reportRunFailure(runner, err);
      out = keys.map(() => ({ entities: [], relations: [] }));
      keys.forEach((k, i) => {
        for (const s of waiting.get(k)!) this.state(s).results.set(runner.id, out[i]);
      });
      return;
    }
    keys.forEach((k, i) => {
      this.engine.cache.set(k, out[i]);
      for (const s of waiting.get(k)!) this.state(s).results.set(runner.id, out[i]);
    });
  }

  /** Merges and tags every sentence that has all its results but stale or no annotations. */
  private annotateComplete(order: readonly ChunkSentence[], sections: ReadonlyMap<ChunkSentence, Section | undefined>): void {
    const runners = this.fittingRunners();
    for (const s of order) {
      const st = this.state(s);
      const section = sections.get(s);
      const a = st.annotations;
      if (a && a.models === this.fitting && a.section === section) continue;
      const results: ModelResult[] = [];
      let complete = true;
      for (const r of runners) {
        if (!reads(r, s)) continue;
        const result = st.results.get(r.id);
        if (!result) {
          complete = false;
          break;
        }
        results.push({ model: r.id, symmetric: new Set(r.meta.symmetric_relations ?? []), result });
      }
      if (!complete) continue;
      // Chunk-relative: the chunk's own text, so the annotations stay valid wherever the chunk moves.
      const chunkText = this.text.slice(s.chunk.start, s.chunk.start + s.chunk.length);
      const { entities, relations } = mergeSentence(chunkText, s.tokens, -1, results);
      const clinical = entities.filter((e) => this.engine.isClinical(e.model));
      if (clinical.length > 0) this.engine.tagger.tagSentence(chunkText, s, section, clinical, relations.filter((r) => this.engine.isClinical(r.model)));
      st.annotations = { entities, relations, models: this.fitting, section };
      this.sent.delete(s.chunk);
    }
  }

  /** A patch of every chunk not yet sent whose sentences are all annotated, as runs of adjacent chunks. */
  private patch(complete: boolean, counts: { inferred: number; cacheHits: number }, progress?: { done: number; total: number }): AnnotationPatch {
    const ranges: PatchRange[] = [];
    let open: PatchRange | undefined;
    let index = 0;
    for (const chunk of this.segmentation.chunks) {
      const ready = !this.sent.has(chunk) && chunk.sentences.every((s) => this.isAnnotated(s));
      if (!ready) {
        open = undefined;
        index += chunk.sentences.length;
        continue;
      }
      if (!open) {
        open = { start: chunk.start, end: chunk.start, sentences: [], entities: [], relations: [] };
        ranges.push(open);
      }
      open.end = chunk.start + chunk.length;
      for (const s of chunk.sentences) {
        const span = absoluteSentence(s, index);
        open.sentences.push({ ...span, tokens: [] }); // the receiver needs where sentences are, not their words
        this.absolute(s, index, open.entities, open.relations);
        index++;
      }
      this.sent.add(chunk);
    }
    return { uri: this.uri, version: this.version, ranges, complete, stats: this.stats(counts), ...(progress ? { progress } : {}) };
  }

  private isAnnotated(s: ChunkSentence): boolean {
    const a = this.states.get(s)?.annotations;
    return !!a && a.models === this.fitting;
  }

  /** A sentence's annotations in document coordinates (new objects), appended to the lists. */
  private absolute(s: ChunkSentence, index: number, entities: EntityAnnotation[], relations: RelationAnnotation[]): void {
    const a = this.states.get(s)?.annotations;
    if (!a) return;
    const base = s.chunk.start;
    const moved = new Map<EntityAnnotation, EntityAnnotation>();
    for (const e of a.entities) {
      const copy = { ...e, start: e.start + base, end: e.end + base, sentence: index, assertion: moveAssertion(e.assertion, base) };
      moved.set(e, copy);
      entities.push(copy);
    }
    for (const r of a.relations) relations.push({ ...r, head: moved.get(r.head)!, tail: moved.get(r.tail)!, sentence: index, assertion: moveAssertion(r.assertion, base) });
  }

  private stats(counts: { inferred: number; cacheHits: number }): DocumentAnnotations['stats'] {
    const models = this.engine.runners.map((r) => r.id);
    const fitting = new Set(this.fitting.split('\u0000'));
    const decision = this.decision;
    const routing = decision && { domains: decision.domains, reason: decision.reason, notRun: models.filter((m) => !fitting.has(m)) };
    return { sentences: this.sentenceCount, inferred: counts.inferred, cacheHits: counts.cacheHits, models, ...(routing ? { routing } : {}) };
  }

  private state(s: ChunkSentence): SentenceState {
    let st = this.states.get(s);
    if (!st) {
      st = { words: s.tokens.map((t) => t.text), results: new Map() };
      this.states.set(s, st);
    }
    return st;
  }
}

/** Whether a model reads a sentence: headings only go to packages trained on them. */
function reads(runner: ModelRunner, s: ChunkSentence): boolean {
  return !(s.kind === 'heading' && !runner.meta.reads_headings);
}

function moveAssertion(a: Assertion, by: number): Assertion {
  return a.trigger && by !== 0 ? { ...a, trigger: { ...a.trigger, start: a.trigger.start + by, end: a.trigger.end + by } } : a;
}

/** Index of the chunk holding `offset` (the last one starting at or before it). */
function chunkAt(chunks: readonly Chunk[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  let found = chunks.length > 0 ? 0 : -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export { AbortError };
