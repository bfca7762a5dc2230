/**
 * ModelRunner: one loaded package (graph session + featurizer + decoder) that turns sentences given
 * as word arrays into word-level entities and relations.
 *
 * This is the single inference path: the editor (through the Annotator), `erlens extract`, `predict`
 * and `eval` all call `run`, so `eval` scores exactly what users see.
 */
import * as ort from 'onnxruntime-node';
import { decoderFor, Decoder } from '../decoders';
import type { SentenceResult } from '../pipeline/types';
import { batchInputs, EncodedSentence, Featurizer, loadFeaturizer } from './featurizer';
import { loadPackage, ModelMeta, ModelPackage, ModelPackageError } from './package';
import { createSession, ExecutionProvider, ProviderAttempt, SessionOptions } from './session';
import { defaultOverlap, mergeWindowResults, planWindows, WordWindow } from './windows';

export interface RunnerOptions extends Omit<SessionOptions, 'probe'> {
  /** Windows per ORT call (memory grows with batch x words^2 x types). */
  maxBatch?: number;
  /** Overlap between windows of a long sentence, in words. */
  windowOverlap?: number;
}

interface Unit {
  sentence: number;
  window: WordWindow;
  words: readonly string[];
}

export class ModelRunner {
  /** ORT calls made so far (tests use it to prove that cache hits and empty sentences skip the graph). */
  graphCalls = 0;

  private constructor(
    readonly pkg: ModelPackage,
    private readonly session: ort.InferenceSession,
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

  /** Load a package (a folder, or an already checked ModelPackage). Throws ModelPackageError. */
  static async load(pkgOrDir: ModelPackage | string, options: RunnerOptions = {}): Promise<ModelRunner> {
    const pkg = typeof pkgOrDir === 'string' ? await loadPackage(pkgOrDir) : pkgOrDir;
    const decoder = decoderFor(pkg.meta);
    const featurizer = loadFeaturizer(pkg);
    const probeWords = ['ERlens'];
    let created;
    try {
      created = await createSession(pkg.graphPath, {
        ...options,
        probe: async (session) => {
          await session.run(batchInputs([featurizer.encode(probeWords)], session.inputNames));
        },
      });
    } catch (err) {
      throw new ModelPackageError(pkg.id, `the graph cannot be loaded by ONNX Runtime: ${firstLine(err)}`);
    }
    const missing = pkg.meta.outputs.filter((o) => !created.session.outputNames.includes(o));
    if (missing.length) {
      await created.session.release().catch(() => undefined);
      throw new ModelPackageError(pkg.id, `the graph lacks the outputs model.json names: ${missing.join(', ')}`);
    }
    return new ModelRunner(pkg, created.session, featurizer, decoder, created.provider, created.failed, options);
  }

  /**
   * Results for a batch of sentences (arrays of words), in order. Empty sentences get empty results
   * without touching the graph; long ones are windowed; windows are sorted by length and sent in ORT
   * calls of at most `maxBatch` (the graph's outputs do not depend on batch-mates or padding).
   */
  async run(sentences: ReadonlyArray<readonly string[]>): Promise<SentenceResult[]> {
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

    const unitResults = new Map<Unit, SentenceResult>();
    const ordered = [...units].sort((a, b) => b.words.length - a.words.length);
    const maxBatch = Math.max(1, this.options.maxBatch ?? 16);
    for (let i = 0; i < ordered.length; i += maxBatch) {
      const chunk = ordered.slice(i, i + maxBatch);
      const results = await this.runChunk(chunk.map((u) => u.words));
      chunk.forEach((u, k) => unitResults.set(u, results[k]));
    }

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
      return windows.length === 1 ? results[0] : mergeWindowResults(windows, results, words.length, meta.entity_types);
    });
  }

  /** One ORT call on sentences that each fit the window. */
  private async runChunk(chunk: ReadonlyArray<readonly string[]>): Promise<SentenceResult[]> {
    const encoded: EncodedSentence[] = chunk.map((words) => this.featurizer.encode(words));
    const feeds = batchInputs(encoded, this.session.inputNames);
    this.graphCalls++;
    const outputs = await this.session.run(feeds);
    try {
      return chunk.map((words, b) => this.decoder(outputs, b, words.length, this.pkg.meta));
    } finally {
      for (const t of Object.values(outputs)) (t as { dispose?: () => void }).dispose?.();
    }
  }

  async release(): Promise<void> {
    await this.session.release().catch(() => undefined);
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).slice(-1)[0]?.slice(0, 300) ?? 'unknown error';
}
