/**
 * Annotator: document text -> DocumentAnnotations, over several models at once.
 *
 * It loads the packages and the domain router once and owns what documents share: the model runners,
 * the sentence cache and the assertion tagger. The work on a document is a DocumentAnalysis
 * (documentAnalysis.ts): segment -> per (model, sentence) cache look-up -> misses batched per model
 * through ModelRunner -> word spans mapped to document offsets -> models merged per sentence ->
 * assertion status (ConText, ../assertion). `annotate` is a fresh analysis of a whole text, the one path
 * `erlens extract`, `erlens eval` and exports share; the language server keeps one analysis per open
 * document (`open`) and lets edits reuse it.
 *
 * It never throws on user input: binary or oversized documents come back empty with a `skipped`
 * reason, a broken package becomes one entry in `errors` while the other models keep working, and a
 * failing batch is logged and left unannotated. The only rejection is an aborted `signal` (the caller
 * asked for it), checked before every ORT call.
 */
import { AssertionTagger, DEFAULT_TAGGER_CACHE_BYTES } from '../assertion/tagger';
import { AbortError } from '../model/abort';
import type { StopSignal } from '../model/abort';
import { PackageCatalogue } from '../model/catalogue';
import { loadPackage, ModelPackage, ModelPackageError } from '../model/package';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_BATCH_CELLS, ModelRunner } from '../model/runner';
import { ExecutionProvider, ExecutionProviderSetting, ProviderAttempt } from '../model/session';
import { extensionRoot } from '../paths';
import { defaultRouterFile, DomainRouter } from '../routing/domainRouter';
import { emptyAnnotations } from '../annotations/empty';
import { documentSkipReason } from '../text/documentGate';
import { CacheStats, DEFAULT_CACHE_BYTES, SentenceCache } from './cache';
import { DocumentAnalysis } from './documentAnalysis';
import type { AnalysisEngine } from './documentAnalysis';
import type { DocumentAnnotations } from '../annotations/types';

export interface AnnotatorOptions {
  executionProvider?: ExecutionProviderSetting;
  /** ORT intra-op threads per session (0: ORT's default). */
  threads?: number;
  /** Bytes the sentence cache may hold (model results; the assertion cache gets a quarter of it). */
  cacheBytes?: number;
  /** Windows per ORT call, at most. */
  batchSize?: number;
  /** Word pairs per ORT call, at most (what a call's memory grows with: ModelRunner). */
  batchCells?: number;
  /** ORT's CPU memory arena and memory patterns (model/session.ts; off unless measuring). */
  sessionMemory?: { cpuMemArena?: boolean; memPattern?: boolean };
  /** Where `models/` is (default: the installed extension / repository root). */
  extensionRoot?: string;
  /** More folders holding packages, or packages themselves (searched before models/). */
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

/** How a whole-text annotation can be stopped (Annotator.annotate here, AnalysisHost.annotate in the server). */
export interface AnnotateOptions {
  /** Checked before every ORT call; `onAbort` (where the signal has it) lets a worker be told at once. */
  signal?: StopSignal & { onAbort?(stop: () => void): void };
}

/** What the status bar and `erlens models` show about a loaded model. */
export interface LoadedModel {
  id: string;
  dir: string;
  /** model.json graph.sha256: tells a retrained package from the one of the same id (the workspace index re-indexes). */
  graphSha256: string;
  architecture: string;
  provider: ExecutionProvider;
  failedProviders: ProviderAttempt[];
  symmetricRelations: readonly string[];
}

export { AbortError };

const DEFAULT_MAX_DOCUMENT_CHARS = 20_000_000;
/** Packages of this domain (model.json `domain`) get assertion status from ConText; others are `present`. */
export const CLINICAL_DOMAIN = 'clinical';

export class Annotator implements AnalysisEngine {
  /** One error per package that could not be loaded (or that failed while running). */
  readonly errors: ModelPackageError[] = [];
  readonly cache: SentenceCache;
  readonly tagger: AssertionTagger;
  runners: ModelRunner[] = [];
  router: DomainRouter | null = null;
  private loading: Promise<void> | null = null;
  private clinical = new Set<string>();
  private readonly options: Required<Omit<AnnotatorOptions, 'log' | 'extraModelDirs' | 'executionProvider' | 'routerFile' | 'sessionMemory'>> & AnnotatorOptions;

  /** `models`: package ids or folders, in order. */
  constructor(
    readonly models: readonly string[],
    options: AnnotatorOptions = {},
  ) {
    this.options = {
      threads: 0,
      cacheBytes: DEFAULT_CACHE_BYTES,
      batchSize: DEFAULT_MAX_BATCH,
      batchCells: DEFAULT_MAX_BATCH_CELLS,
      extensionRoot,
      maxDocumentChars: DEFAULT_MAX_DOCUMENT_CHARS,
      routing: 'auto',
      ...options,
    };
    this.cache = new SentenceCache(this.options.cacheBytes);
    this.tagger = new AssertionTagger(undefined, Math.max(DEFAULT_TAGGER_CACHE_BYTES / 4, this.options.cacheBytes / 4));
  }

  isClinical(model: string): boolean {
    return this.clinical.has(model);
  }

  /** Load every package once; failures land in `errors`. Safe to call many times. */
  ready(): Promise<void> {
    this.loading ??= this.loadAll();
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    this.loadRouter();
    const catalogue = new PackageCatalogue({ userDirs: this.options.extraModelDirs, extensionRoot: this.options.extensionRoot });
    const seen = new Set<string>();
    for (const ref of this.models) {
      try {
        const pkg: ModelPackage = await loadPackage(catalogue.resolve(ref), ref);
        if (seen.has(pkg.id)) continue; // the same package listed twice
        seen.add(pkg.id);
        const runner = await ModelRunner.load(pkg, {
          executionProvider: this.options.executionProvider,
          intraOpNumThreads: this.options.threads,
          maxBatch: this.options.batchSize,
          maxBatchCells: this.options.batchCells,
          ...this.options.sessionMemory,
        });
        this.runners.push(runner);
        if (pkg.meta.domain === CLINICAL_DOMAIN) this.clinical.add(pkg.id);
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

  /** The models that loaded, in the configured order. */
  loadedModels(): LoadedModel[] {
    return this.runners.map((r) => ({
      id: r.id,
      dir: r.pkg.dir,
      graphSha256: r.meta.graph.sha256,
      architecture: r.meta.architecture,
      provider: r.provider,
      failedProviders: r.failedProviders,
      symmetricRelations: r.meta.symmetric_relations,
    }));
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  /**
   * The analysis of a document, kept by the caller across edits (DocumentAnalysis.update), or undefined
   * with the reason when the text is not analysed (binary, too large, segmentation failed).
   */
  open(uri: string, version: number, text: string, languageId: string): { analysis?: DocumentAnalysis; skipped?: string } {
    const skipped = documentSkipReason(text, this.options.maxDocumentChars);
    if (skipped) return { skipped };
    try {
      return { analysis: new DocumentAnalysis(this, uri, languageId, text, version) };
    } catch (err) {
      // A segmentation bug must not take the editor down; say so and annotate nothing.
      this.options.log?.(`segmentation failed for ${uri}: ${(err as Error).message}`);
      return { skipped: `skipped: segmentation failed (${(err as Error).message})` };
    }
  }

  /** Annotations of a whole text (a fresh analysis; sentences already in the cache are not inferred). */
  async annotate(uri: string, version: number, text: string, languageId: string, opts: AnnotateOptions = {}): Promise<DocumentAnnotations> {
    await this.ready();
    const { analysis, skipped } = this.open(uri, version, text, languageId);
    if (!analysis) return this.empty(uri, version, skipped);
    const outcome = await analysis.run({ stop: opts.signal });
    if (outcome === 'stopped') throw new AbortError();
    return analysis.snapshot();
  }

  /** No annotations (with the reason the text was not analysed). */
  empty(uri: string, version: number, skipped?: string): DocumentAnnotations {
    return emptyAnnotations(uri, version, this.runners.map((r) => r.id), skipped);
  }

  reportRunFailure(runner: ModelRunner, err: unknown): void {
    const message = `inference failed: ${(err as Error).message?.split('\n')[0] ?? String(err)}`;
    this.options.log?.(`model ${runner.id}: ${message}`);
    if (!this.errors.some((e) => e.packageRef === runner.id && e.problem === message)) this.errors.push(new ModelPackageError(runner.id, message));
  }

  async dispose(): Promise<void> {
    await this.ready().catch(() => undefined);
    await Promise.all(this.runners.map((r) => r.release()));
    this.runners = [];
    this.cache.clear();
    this.tagger.clear();
  }
}
