/**
 * ModelRunner: one loaded package (graph session, further stage sessions, featurizer, decoder) that
 * turns sentences given as word arrays into word-level entities and relations.
 *
 * This is the single inference path: the editor (through the Annotator), `erlens extract`, `predict`
 * and `eval` all call `run`, so `eval` scores exactly what users see.
 */
import * as ort from 'onnxruntime-node';
import { decoderFor } from '../decoders';
import type { DecodeContext, Decoder } from '../decoders/decoder';
import { AbortError } from './abort';
import type { StopSignal } from './abort';
import { constrainRelations } from '../decoders/constraints';
import { trimSpans } from '../decoders/spanTrim';
import type { SentenceResult } from '../decoders/types';
import { batchInputs, EncodedSentence, Featurizer, loadFeaturizer } from './featurizer';
import { loadPackage, ModelMeta, ModelPackage, ModelPackageError } from './package';
import { createSession, ExecutionProvider, ProviderAttempt, SessionOptions } from './session';
import { defaultOverlap, mergeWindowResults, planWindows, WordWindow } from './windows';

export interface RunnerOptions extends Omit<SessionOptions, 'probe'> {
  /** Windows per ORT call, at most. */
  maxBatch?: number;
  /**
   * Word-pair cells per ORT call, at most (windows x the longest window's words squared): what a call's
   * memory grows with, as the joint models hold a table of every word pair (and ORT a hidden vector per
   * cell), so two 100-word sentences are not sent together while thirty-two 8-word ones are. One window
   * always fits, whatever its length.
   */
  maxBatchCells?: number;
  /** Overlap between windows of a long sentence, in words. */
  windowOverlap?: number;
  /** See DecodeContext.pairStageCells (span-pairs packages). */
  pairStageCells?: number;
}

interface Unit {
  sentence: number;
  window: WordWindow;
  words: readonly string[];
}

/** One caller's units waiting for a round of ORT calls (`run` calls made while a round runs share the next). */
interface PendingRun {
  units: readonly Unit[];
  stop?: StopSignal;
  results: Map<Unit, SentenceResult>;
  resolve: (results: Map<Unit, SentenceResult>) => void;
  reject: (err: unknown) => void;
}

export class ModelRunner {
  /**
   * ORT calls made so far, main graph and further stages together (tests use it to prove that cache
   * hits and empty sentences skip the graph).
   */
  graphCalls = 0;
  /** The part of graphCalls that went to further stages (model.json `stages`). */
  stageCalls = 0;
  /** Callers waiting for the next round, and whether a round is running. */
  private pending: PendingRun[] = [];
  private draining = false;

  private constructor(
    readonly pkg: ModelPackage,
    private readonly session: ort.InferenceSession,
    /** Sessions of the further stages, by stage name, on the main graph's provider where possible. */
    private readonly stages: ReadonlyMap<string, ort.InferenceSession>,
    readonly featurizer: Featurizer,
    private readonly decoder: Decoder,
    readonly provider: ExecutionProvider,
    readonly failedProviders: ProviderAttempt[],
    private readonly options: RunnerOptions,
  ) {}

  get id(): string {
    return this.pkg.id;
  }
  get meta(): ModelMeta {
    return this.pkg.meta;
  }
  /** The checksums of every graph the package runs (main graph, then stages): what a cached result depends on. */
  get graphDigest(): string {
    return [this.pkg.meta.graph.sha256, ...Object.values(this.pkg.meta.stages ?? {}).map((s) => s.sha256)].join('+');
  }

  /** Load a package (a folder, or an already checked ModelPackage). Throws ModelPackageError. */
  static async load(pkgOrDir: ModelPackage | string, options: RunnerOptions = {}): Promise<ModelRunner> {
    const pkg = typeof pkgOrDir === 'string' ? await loadPackage(pkgOrDir) : pkgOrDir;
    const decoder = decoderFor(pkg.meta);
    const featurizer = loadFeaturizer(pkg);
    const probeFeeds = (session: ort.InferenceSession) => batchInputs([featurizer.encode(['ERlens'])], session.inputNames);
    let created;
    try {
      created = await createSession(pkg.graphPath, {
        ...options,
        probe: async (session) => {
          await session.run(probeFeeds(session));
        },
      });
    } catch (err) {
      throw new ModelPackageError(pkg.id, `the graph cannot be loaded by ONNX Runtime: ${firstLine(err)}`);
    }
    const main = created.session;
    const stages = new Map<string, ort.InferenceSession>();
    const failed = [...created.failed];
    const releaseAll = async () => {
      for (const s of [main, ...stages.values()]) await s.release().catch(() => undefined);
    };
    try {
      const missing = pkg.meta.outputs.filter((o) => !main.outputNames.includes(o));
      if (missing.length) throw new ModelPackageError(pkg.id, `the graph lacks the outputs model.json names: ${missing.join(', ')}`);
      for (const name of decoder.stages ?? []) {
        const stageMeta = pkg.meta.stages?.[name];
        const stagePath = pkg.stagePaths[name];
        if (!stageMeta || !stagePath) throw new ModelPackageError(pkg.id, `the ${decoder.name} decoder needs a '${name}' stage in model.json stages`);
        let stage;
        try {
          // The provider the main graph got (a stage that fails on it falls back to CPU).
          stage = await createSession(stagePath, {
            ...options,
            executionProvider: created.provider,
            probe: decoder.probeStage
              ? async (session) => {
                  const mainOut = await main.run(probeFeeds(main));
                  try {
                    await session.run(decoder.probeStage!(name, mainOut, pkg.meta));
                  } finally {
                    for (const t of Object.values(mainOut)) (t as { dispose?: () => void }).dispose?.();
                  }
                }
              : undefined,
          });
        } catch (err) {
          throw new ModelPackageError(pkg.id, `the stage graph ${stageMeta.file} cannot be loaded by ONNX Runtime: ${firstLine(err)}`);
        }
        stages.set(name, stage.session);
        failed.push(...stage.failed.map((f) => ({ ...f, error: `${stageMeta.file}: ${f.error}` })));
        const lacking = [...stageMeta.inputs.filter((i) => !stage.session.inputNames.includes(i)), ...stageMeta.outputs.filter((o) => !stage.session.outputNames.includes(o))];
        if (lacking.length) throw new ModelPackageError(pkg.id, `the stage graph ${stageMeta.file} lacks the inputs/outputs model.json names: ${lacking.join(', ')}`);
      }
    } catch (err) {
      await releaseAll();
      throw err;
    }
    return new ModelRunner(pkg, main, stages, featurizer, decoder, created.provider, failed, options);
  }

  /**
   * Results for a batch of sentences (arrays of words), in order. Empty sentences get empty results
   * without touching the graph; long ones are windowed; windows are sorted by length and sent in ORT
   * calls of at most `maxBatch` windows and `maxBatchCells` word pairs (the graph's outputs do not
   * depend on batch-mates or padding). `stop` is checked before every ORT call: a run that is no longer
   * wanted throws AbortError instead of starting another batch.
   *
   * Calls that overlap in time share ORT calls: the windows of every `run` made while a round of calls
   * is under way (several documents analysed at once: `erlens stream`, a workspace) are batched together
   * in the next round, so short documents fill batches together and one session never runs two calls
   * at once.
   */
  async run(sentences: ReadonlyArray<readonly string[]>, stop?: StopSignal): Promise<SentenceResult[]> {
    const meta = this.pkg.meta;
    const maxCost = this.featurizer.maxSubwords - this.featurizer.specialSubwords;
    const overlap = this.options.windowOverlap ?? defaultOverlap(meta.max_words);
    const units: Unit[] = [];
    const windowsOf: WordWindow[][] = sentences.map((words, sentence) => {
      if (words.length === 0) return [];
      const windows = planWindows(this.featurizer.subwordCounts(words), meta.max_words, maxCost, overlap);
      for (const window of windows) units.push({ sentence, window, words: words.slice(window.start, window.end) });
      return windows;
    });

    // `stop` is read before each ORT call of the round (drain), as often as a caller's own calls would.
    const unitResults = units.length ? await this.enqueue(units, stop) : new Map<Unit, SentenceResult>();

    const bySentence = new Map<number, SentenceResult[]>();
    for (const u of units) {
      const list = bySentence.get(u.sentence) ?? [];
      list.push(unitResults.get(u)!);
      bySentence.set(u.sentence, list);
    }
    return sentences.map((words, s) => {
      const windows = windowsOf[s];
      if (windows.length === 0) return { entities: [], relations: [] };
      const results = bySentence.get(s)!;
      const merged = windows.length === 1 ? results[0] : mergeWindowResults(windows, results, words.length, meta.entity_types);
      return constrainRelations(trimSpans(merged, words, meta.span_trim), meta.relation_arguments, meta.symmetric_relations);
    });
  }

  private enqueue(units: readonly Unit[], stop: StopSignal | undefined): Promise<Map<Unit, SentenceResult>> {
    return new Promise((resolve, reject) => {
      this.pending.push({ units, stop, results: new Map(), resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // The next macrotask: the calls other documents make as this one's caller resumes join the round.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Rounds of ORT calls until nobody waits: each round batches the windows of every caller waiting. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const round = this.pending.splice(0);
        const owner = new Map<Unit, PendingRun>();
        for (const run of round) for (const u of run.units) owner.set(u, run);
        const live = new Set(round);
        const ordered = round.flatMap((r) => r.units).sort((a, b) => b.words.length - a.words.length);
        for (const chunk of batches(ordered, batchLimit(this.meta, this.options.maxBatch), this.options.maxBatchCells ?? DEFAULT_MAX_BATCH_CELLS)) {
          for (const run of live) {
            if (run.stop?.aborted) {
              live.delete(run);
              run.reject(new AbortError());
            }
          }
          const todo = chunk.filter((u) => live.has(owner.get(u)!));
          if (todo.length === 0) continue;
          let results: SentenceResult[];
          try {
            results = await this.runChunk(todo.map((u) => u.words));
          } catch (err) {
            // The callers whose windows were in the failing call get its error; the others go on.
            for (const run of new Set(todo.map((u) => owner.get(u)!))) {
              live.delete(run);
              run.reject(err);
            }
            continue;
          }
          todo.forEach((u, k) => owner.get(u)!.results.set(u, results[k]));
        }
        for (const run of live) run.resolve(run.results);
      }
    } finally {
      this.draining = false;
    }
  }

  /** One ORT call on sentences that each fit the window. */
  private async runChunk(chunk: ReadonlyArray<readonly string[]>): Promise<SentenceResult[]> {
    const encoded: EncodedSentence[] = chunk.map((words) => this.featurizer.encode(words));
    const feeds = batchInputs(encoded, this.session.inputNames);
    this.graphCalls++;
    const outputs = await this.session.run(feeds);
    const produced: Array<Record<string, ort.Tensor>> = [outputs];
    const ctx: DecodeContext = {
      meta: this.pkg.meta,
      pairStageCells: this.options.pairStageCells,
      runStage: async (name, stageFeeds) => {
        const stage = this.stages.get(name);
        if (!stage) throw new ModelPackageError(this.pkg.id, `the package has no loaded stage '${name}'`);
        this.graphCalls++;
        this.stageCalls++;
        const out = await stage.run(stageFeeds);
        produced.push(out);
        return out;
      },
    };
    try {
      return await this.decoder.decode(outputs, chunk.map((words) => words.length), ctx);
    } finally {
      for (const out of produced) for (const t of Object.values(out)) (t as { dispose?: () => void }).dispose?.();
    }
  }

  async release(): Promise<void> {
    for (const s of [this.session, ...this.stages.values()]) await s.release().catch(() => undefined);
  }
}

export const DEFAULT_MAX_BATCH = 32;

/**
 * Windows per ORT call for a package. A graph whose int8 encoder quantises its activations per call
 * (model.json `encoder.weights: "int8"` without `activations: "per-token"`: onnxruntime's dynamic
 * quantisation, one activation scale over the whole batch) would make a sentence's result depend on the
 * sentences sharing its call — 14 of 231 CoNLL04 dev sentences got other entities from such a graph batched
 * than alone, and `erlens stream` differed from `extract`. Such a package runs one window per call: a result
 * is a function of its sentence (and its cache entry stays true), at 10–20% of the package's speed. Graphs
 * quantised per token (`erlens-train per-token-int8`, and every int8 export) batch like any other.
 */
export function batchLimit(meta: ModelMeta, requested: number | undefined): number {
  if (meta.encoder.weights === 'int8' && meta.encoder.activations !== 'per-token') return 1;
  return Math.max(1, requested ?? DEFAULT_MAX_BATCH);
}
export const DEFAULT_MAX_BATCH_CELLS = 4096;

/** Units sorted longest first -> ORT calls of at most `maxBatch` units and `maxCells` padded word pairs. */
export function batches<T extends { words: readonly string[] }>(ordered: readonly T[], maxBatch: number, maxCells: number): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < ordered.length) {
    // The first unit is the longest of its call: every other one is padded to its length.
    const longest = Math.max(1, ordered[i].words.length);
    const n = Math.max(1, Math.min(maxBatch, Math.floor(maxCells / (longest * longest))));
    out.push(ordered.slice(i, i + n));
    i += n;
  }
  return out;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).slice(-1)[0]?.slice(0, 300) ?? 'unknown error';
}
