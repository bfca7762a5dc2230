/**
 * Annotator: document text -> DocumentAnnotations, over several models at once.
 *
 * segment -> per (model, sentence) cache look-up -> misses batched per model through ModelRunner ->
 * word spans mapped to document offsets -> models merged -> assertion status (ConText, ../assertion)
 * on every entity and relation. It is the one path the language server, `erlens extract` and `erlens
 * eval` share.
 *
 * It never throws on user input: binary or oversized documents come back empty with a `skipped`
 * reason, a broken package becomes one entry in `errors` while the other models keep working, and a
 * failing batch is logged and left unannotated. The only rejection is an aborted `signal` (the caller
 * asked for it), checked between batches; ORT's run is asynchronous, so the caller's event loop stays
 * free while a batch runs.
 */
import { AssertionTagger } from '../assertion/tagger';
import { findPackageDirs, loadPackage, ModelPackage, ModelPackageError, packageRoots, resolvePackageRef } from '../model/package';
import { ModelRunner } from '../model/runner';
import { ExecutionProvider, ExecutionProviderSetting, ProviderAttempt } from '../model/session';
import { extensionRoot } from '../paths';
import { defaultRouterFile, DomainDecision, DomainRouter, fits } from '../routing/domainRouter';
import { binaryContentReason } from '../text/binary';
import { segmentDocument } from '../text/segment';
import { CacheStats, SentenceCache } from './cache';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation, SentenceResult, SentenceSpan } from './types';

export interface AnnotatorOptions {
  executionProvider?: ExecutionProviderSetting;
  /** ORT intra-op threads per session (0: ORT's default). */
  threads?: number;
  /** Cached (model, sentence) results. */
  cacheSize?: number;
  /** Sentences per ORT call. */
  batchSize?: number;
  /** Where `models/` is (default: the installed extension / repository root). */
  extensionRoot?: string;
  /** More folders holding packages, or packages themselves. */
  extraModelDirs?: string[];
  /** Documents longer than this (UTF-16 units) are skipped with a reason. */
  maxDocumentChars?: number;
  /**
   * 'auto' (default): a package whose model.json names a `domain` runs only on documents of that
   * domain (routing/domainRouter.ts); 'off': every package runs on every document.
   */
  routing?: 'auto' | 'off';
  /** The router table (default: models/domains.json under the extension root). */
  routerFile?: string;
  log?: (message: string) => void;
}

export interface AnnotateOptions {
  signal?: AbortSignal;
  /** Sentence indices to run first (visible or just edited ones). */
  priority?: readonly number[];
}

/** What the status bar and `erlens models` show about a loaded model. */
export interface LoadedModel {
  id: string;
  dir: string;
  architecture: string;
  provider: ExecutionProvider;
  failedProviders: ProviderAttempt[];
}

export class AbortError extends Error {
  constructor() {
    super('annotation was cancelled');
    this.name = 'AbortError';
  }
}

const DEFAULT_MAX_DOCUMENT_CHARS = 20_000_000;
/** Packages of this domain (model.json `domain`) get assertion status from ConText; others are `present`. */
export const CLINICAL_DOMAIN = 'clinical';

export class Annotator {
  /** One error per package that could not be loaded (or that failed while running). */
  readonly errors: ModelPackageError[] = [];
  readonly cache: SentenceCache;
  readonly assertions: AssertionTagger;
  private runners: ModelRunner[] = [];
  private loading: Promise<void> | null = null;
  private router: DomainRouter | null = null;
  private readonly options: Required<Omit<AnnotatorOptions, 'log' | 'extraModelDirs' | 'executionProvider' | 'routerFile'>> & AnnotatorOptions;

  /** `models`: package ids or folders, in order. */
  constructor(
    readonly models: readonly string[],
    options: AnnotatorOptions = {},
  ) {
    this.options = {
      threads: 0,
      cacheSize: 20_000,
      batchSize: 16,
      extensionRoot,
      maxDocumentChars: DEFAULT_MAX_DOCUMENT_CHARS,
      routing: 'auto',
      ...options,
    };
    this.cache = new SentenceCache(this.options.cacheSize);
    this.assertions = new AssertionTagger(undefined, this.options.cacheSize);
  }

  /** Every package found under the roots (for "no models configured": use what is installed). */
  static installedPackageDirs(extensionRoot: string, extraDirs: readonly string[] = []): string[] {
    return findPackageDirs(packageRoots(extensionRoot, extraDirs));
  }

  /** Load every package once; failures land in `errors`. Safe to call many times. */
  ready(): Promise<void> {
    this.loading ??= this.loadAll();
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    this.loadRouter();
    const roots = packageRoots(this.options.extensionRoot, this.options.extraModelDirs ?? []);
    const seen = new Set<string>();
    for (const ref of this.models) {
      try {
        const pkg: ModelPackage = await loadPackage(resolvePackageRef(ref, roots), ref);
        if (seen.has(pkg.id)) continue; // the same package listed twice
        seen.add(pkg.id);
        const runner = await ModelRunner.load(pkg, {
          executionProvider: this.options.executionProvider,
          intraOpNumThreads: this.options.threads,
          maxBatch: this.options.batchSize,
        });
        this.runners.push(runner);
        const fell = runner.failedProviders.map((f) => `${f.provider} unavailable (${f.error})`).join('; ');
        this.options.log?.(`model ${pkg.id} loaded on ${runner.provider}${fell ? ` after: ${fell}` : ''}`);
      } catch (err) {
        const e = err instanceof ModelPackageError ? err : new ModelPackageError(ref, (err as Error).message);
        this.errors.push(e);
        this.options.log?.(e.message);
      }
    }
  }

  /** Routing needs the router only when some package names a domain; a broken router turns routing off, loudly. */
  private loadRouter(): void {
    if (this.options.routing === 'off') return;
    const file = this.options.routerFile ?? defaultRouterFile(this.options.extensionRoot);
    try {
      this.router = DomainRouter.load(file);
    } catch (err) {
      this.options.log?.(`${(err as Error).message}; every model runs on every document`);
    }
  }

  /** The document's domain, when routing is on and some loaded package names a domain. */
  private route(sentences: readonly SentenceSpan[]): DomainDecision | undefined {
    if (!this.router || !this.runners.some((r) => r.meta.domain)) return undefined;
    return this.router.decide(prose(sentences));
  }

  /** The models that loaded, in the configured order. */
  loadedModels(): LoadedModel[] {
    return this.runners.map((r) => ({
      id: r.id,
      dir: r.pkg.dir,
      architecture: r.meta.architecture,
      provider: r.provider,
      failedProviders: r.failedProviders,
    }));
  }

  /** The runner of a loaded model (the CLI's predict/eval go through it directly). */
  runner(id: string): ModelRunner | undefined {
    return this.runners.find((r) => r.id === id);
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  async annotate(uri: string, version: number, text: string, languageId: string, opts: AnnotateOptions = {}): Promise<DocumentAnnotations> {
    await this.ready();
    const models = this.runners.map((r) => r.id);
    const empty = (skipped?: string): DocumentAnnotations => ({
      uri, version, sentences: [], entities: [], relations: [], stats: { sentences: 0, inferred: 0, cacheHits: 0, models }, ...(skipped ? { skipped } : {}),
    });
    if (typeof text !== 'string') return empty('skipped: no text');
    if (text.length > this.options.maxDocumentChars) {
      return empty(`skipped: the document has ${text.length} characters, over the limit of ${this.options.maxDocumentChars}`);
    }
    const binary = binaryContentReason(text);
    if (binary) return empty(binary);

    let sentences: SentenceSpan[];
    try {
      sentences = segmentDocument(text, languageId);
    } catch (err) {
      // A segmentation bug must not take the editor down; say so and annotate nothing.
      this.options.log?.(`segmentation failed for ${uri}: ${(err as Error).message}`);
      return empty(`skipped: segmentation failed (${(err as Error).message})`);
    }

    const order = priorityOrder(sentences.length, opts.priority);
    const results = new Map<ModelRunner, Array<SentenceResult | undefined>>();
    const decision = this.route(sentences);
    const notRun: string[] = [];
    let inferred = 0;
    let cacheHits = 0;
    for (const runner of this.runners) {
      const perSentence: Array<SentenceResult | undefined> = new Array(sentences.length);
      results.set(runner, perSentence);
      if (!fits(runner.meta.domain, decision)) {
        notRun.push(runner.id);
        continue;
      }
      const sha = runner.graphDigest;
      // Misses, deduplicated: a sentence repeated in the document runs once.
      const pending = new Map<string, number[]>();
      for (const idx of order) {
        // Headings are not sentences: a model never trained on them tags "History" as a place.
        if (sentences[idx].kind === 'heading' && !runner.meta.reads_headings) continue;
        const words = sentences[idx].tokens.map((t) => t.text);
        const key = SentenceCache.key(runner.id, sha, words);
        const waiting = pending.get(key);
        if (waiting) {
          waiting.push(idx);
          continue;
        }
        const hit = this.cache.get(key);
        if (hit) {
          perSentence[idx] = hit;
          cacheHits++;
        } else pending.set(key, [idx]);
      }
      const keys = [...pending.keys()];
      for (let b = 0; b < keys.length; b += this.options.batchSize) {
        throwIfAborted(opts.signal);
        const batchKeys = keys.slice(b, b + this.options.batchSize);
        const batchWords = batchKeys.map((k) => sentences[pending.get(k)![0]].tokens.map((t) => t.text));
        let out: SentenceResult[];
        try {
          out = await runner.run(batchWords);
        } catch (err) {
          this.reportRunFailure(runner, err);
          continue;
        }
        batchKeys.forEach((k, i) => {
          this.cache.set(k, out[i]);
          for (const idx of pending.get(k)!) perSentence[idx] = out[i];
        });
        inferred += batchKeys.length;
      }
      throwIfAborted(opts.signal);
    }

    const { entities, relations } = mergeModels(text, sentences, this.runners, results);
    const clinical = new Set(this.runners.filter((r) => r.meta.domain === CLINICAL_DOMAIN).map((r) => r.id));
    try {
      this.assertions.tag(text, sentences, entities, relations, (model) => clinical.has(model));
    } catch (err) {
      // ConText is string work on validated data; should it ever fail, the annotations stay (all present).
      this.options.log?.(`assertion status failed for ${uri}: ${(err as Error).message}`);
    }
    const routing = decision && { domains: decision.domains, reason: decision.reason, notRun };
    return { uri, version, sentences, entities, relations, stats: { sentences: sentences.length, inferred, cacheHits, models, ...(routing ? { routing } : {}) } };
  }

  private reportRunFailure(runner: ModelRunner, err: unknown): void {
    const message = `inference failed: ${(err as Error).message?.split('\n')[0] ?? String(err)}`;
    this.options.log?.(`model ${runner.id}: ${message}`);
    if (!this.errors.some((e) => e.packageRef === runner.id && e.problem === message)) this.errors.push(new ModelPackageError(runner.id, message));
  }

  async dispose(): Promise<void> {
    await this.ready().catch(() => undefined);
    await Promise.all(this.runners.map((r) => r.release()));
    this.runners = [];
    this.cache.clear();
    this.assertions.clear();
  }
}

/** The words of the document's prose, for the domain router. */
function* prose(sentences: readonly SentenceSpan[]): Iterable<string> {
  for (const s of sentences) for (const t of s.tokens) yield t.text;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

/** Indices 0..n-1 with the valid priority ones first (in the order given), each once. */
export function priorityOrder(n: number, priority: readonly number[] = []): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const i of priority) if (Number.isInteger(i) && i >= 0 && i < n && !seen.has(i)) seen.add(i), out.push(i);
  for (let i = 0; i < n; i++) if (!seen.has(i)) out.push(i);
  return out;
}

/** Until the tagger has run (it replaces this on every annotation). */
const PRESENT = { status: 'present' } as const;

/**
 * Word results of every model -> document annotations. Entities of different models are all kept;
 * the same (span, type) from two models is one entity with the higher score (and that model's name).
 * Relations likewise, keyed by both arguments and the type.
 */
function mergeModels(
  text: string,
  sentences: readonly SentenceSpan[],
  runners: readonly ModelRunner[],
  results: Map<ModelRunner, Array<SentenceResult | undefined>>,
): { entities: EntityAnnotation[]; relations: RelationAnnotation[] } {
  const entities = new Map<string, EntityAnnotation>();
  const relations = new Map<string, RelationAnnotation>();
  for (const runner of runners) {
    const symmetric = new Set(runner.meta.symmetric_relations ?? []);
    const perSentence = results.get(runner)!;
    sentences.forEach((sentence, sIdx) => {
      const r = perSentence[sIdx];
      if (!r) return;
      const local: EntityAnnotation[] = r.entities.map((e) => {
        const start = sentence.tokens[e.start].start;
        const end = sentence.tokens[e.end - 1].end;
        const key = `${start}:${end}:${e.type}`;
        const known = entities.get(key);
        if (known) {
          if (e.score > known.score) Object.assign(known, { score: e.score, model: runner.id });
          return known;
        }
        const ann: EntityAnnotation = { id: '', type: e.type, start, end, text: text.slice(start, end), score: e.score, model: runner.id, sentence: sentence.index, assertion: PRESENT };
        entities.set(key, ann);
        return ann;
      });
      for (const rel of r.relations) {
        const head = local[rel.head];
        const tail = local[rel.tail];
        const key = `${head.start}:${head.end}:${head.type}>${tail.start}:${tail.end}:${tail.type}>${rel.type}`;
        const known = relations.get(key);
        if (known) {
          if (rel.score > known.score) Object.assign(known, { score: rel.score, model: runner.id });
          continue;
        }
        relations.set(key, { id: '', type: rel.type, head, tail, score: rel.score, model: runner.id, sentence: sentence.index, symmetric: symmetric.has(rel.type), assertion: PRESENT });
      }
    });
  }
  const sorted = [...entities.values()].sort((a, b) => a.start - b.start || a.end - b.end || a.type.localeCompare(b.type) || a.model.localeCompare(b.model));
  sorted.forEach((e, i) => (e.id = `T${i + 1}`));
  const order = new Map(sorted.map((e, i) => [e, i]));
  const rels = [...relations.values()].sort((a, b) => order.get(a.head)! - order.get(b.head)! || order.get(a.tail)! - order.get(b.tail)! || a.type.localeCompare(b.type));
  rels.forEach((r, i) => (r.id = `R${i + 1}`));
  return { entities: sorted, relations: rels };
}
