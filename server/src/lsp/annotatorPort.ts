/**
 * What the language server needs from the extraction pipeline, and the one place that loads it.
 * The pipeline (`../pipeline/annotator`) is written separately; keeping the server's view of it in one
 * small interface means feature code and tests never depend on its internals.
 */
import type { DocumentAnnotations } from '../pipeline/types';

export interface AnnotateOptions {
  signal?: AbortSignal;
  /** UTF-16 document offsets whose sentences should be inferred first (edits, visible range). */
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
}

function numberField(obj: unknown, ...names: string[]): number {
  for (const n of names) {
    const v = (obj as Record<string, unknown> | undefined)?.[n];
    if (typeof v === 'number') return v;
  }
  return 0;
}

function problemsOf(raw: unknown): { package: string; message: string }[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((e) => {
    if (typeof e === 'string') return { package: '', message: e };
    const o = (e ?? {}) as Record<string, unknown>;
    const pkg = String(o.package ?? o.id ?? o.dir ?? '');
    const message = String(o.message ?? o.error ?? JSON.stringify(e));
    return { package: pkg, message };
  });
}

/**
 * Wraps the pipeline's Annotator. Field names are read defensively (cacheHits or hits, errors as strings
 * or objects) so the server keeps working while the pipeline's API settles.
 */
export async function createAnnotator(config: AnnotatorConfig): Promise<AnnotatorPort> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('../pipeline/annotator') as { Annotator: new (packages: string[], options: Record<string, unknown>) => Record<string, unknown> };
  const inner = new mod.Annotator(config.packageDirs, {
    executionProvider: config.executionProvider,
    threads: config.threads,
    cacheSize: config.cacheSize,
  });
  const ready = inner.ready ?? inner.load ?? inner.init;
  if (typeof ready === 'function') await (ready as () => Promise<unknown>).call(inner);
  else if (ready && typeof (ready as Promise<unknown>).then === 'function') await ready;
  const statsOf = () => (typeof inner.stats === 'function' ? (inner.stats as () => unknown).call(inner) : inner.stats ?? inner);
  return {
    annotate: (uri, version, text, languageId, options) =>
      (inner.annotate as AnnotatorPort['annotate']).call(inner, uri, version, text, languageId, options),
    get problems() {
      return problemsOf(inner.errors ?? inner.problems);
    },
    counters() {
      const s = statsOf();
      return { cacheHits: numberField(s, 'cacheHits', 'hits'), cacheMisses: numberField(s, 'cacheMisses', 'misses') };
    },
    executionProvider() {
      const ep = inner.executionProvider ?? inner.provider ?? (statsOf() as Record<string, unknown> | undefined)?.executionProvider;
      return typeof ep === 'string' ? ep : Array.isArray(ep) ? ep.join(', ') : undefined;
    },
    models() {
      const m = inner.models ?? inner.packages ?? inner.modelIds;
      if (Array.isArray(m)) return m.map((x) => (typeof x === 'string' ? x : String((x as Record<string, unknown>).id ?? ''))).filter(Boolean);
      return [];
    },
    async dispose() {
      if (typeof inner.dispose === 'function') await (inner.dispose as () => Promise<void>).call(inner);
    },
  };
}
