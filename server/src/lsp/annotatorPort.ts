/**
 * What the language server needs from the extraction pipeline, and the one place that loads it.
 * The pipeline (`../pipeline/annotator`) is written separately; keeping the server's view of it in one
 * small interface means feature code and tests never depend on its internals.
 */
import { Annotator } from '../pipeline/annotator';
import type { ExecutionProviderSetting } from '../model/session';
import type { DocumentAnnotations } from '../pipeline/types';

export interface AnnotateOptions {
  signal?: AbortSignal;
  /** Sentence indices to infer first (edited or visible ones). */
  priority?: number[];
}

export interface AnnotatorCounters {
  cacheHits: number;
  cacheMisses: number;
}

export interface AnnotatorPort {
  annotate(uri: string, version: number, text: string, languageId: string, options: AnnotateOptions): Promise<DocumentAnnotations>;
  /** Package load problems, one entry per package. */
  readonly problems: { package: string; message: string }[];
  /** Cumulative cache counters (tests diff them around an edit). */
  counters(): AnnotatorCounters;
  /** The execution provider that actually runs (after `auto` fell back), when known. */
  executionProvider(): string | undefined;
  /** Loaded package ids. */
  models(): string[];
  dispose(): Promise<void>;
}

export interface AnnotatorConfig {
  packageDirs: string[];
  executionProvider: string;
  threads: number;
  cacheSize: number;
  routing?: 'auto' | 'off';
  /** Folder holding package.json and models/ (the bundle cannot derive it from its own location). */
  extensionRoot?: string;
  log?: (message: string) => void;
}

/** Wraps the pipeline's Annotator (loads every package once; problems land in its `errors`). */
export async function createAnnotator(config: AnnotatorConfig): Promise<AnnotatorPort> {
  const inner = new Annotator(config.packageDirs, {
    executionProvider: config.executionProvider as ExecutionProviderSetting,
    threads: config.threads,
    cacheSize: config.cacheSize,
    ...(config.routing ? { routing: config.routing } : {}),
    // Only when known: an explicit `undefined` would override the pipeline's own default.
    ...(config.extensionRoot ? { extensionRoot: config.extensionRoot } : {}),
    log: config.log,
  });
  await inner.ready();
  return {
    annotate: (uri, version, text, languageId, options) => inner.annotate(uri, version, text, languageId, options),
    get problems() {
      return inner.errors.map((e) => ({ package: e.packageRef, message: e.problem }));
    },
    counters() {
      const s = inner.cacheStats();
      return { cacheHits: s.hits, cacheMisses: s.misses };
    },
    executionProvider() {
      const providers = [...new Set(inner.loadedModels().map((m) => m.provider))];
      return providers.length > 0 ? providers.join(', ') : undefined;
    },
    models() {
      return inner.loadedModels().map((m) => m.id);
    },
    dispose: () => inner.dispose(),
  };
}
