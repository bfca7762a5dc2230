/**
 * The `erlens.*` settings as the server uses them, and how raw client values become them.
 * Every value from the client is untrusted JSON: anything malformed falls back to the default, so a
 * typo in settings.json degrades one setting instead of stopping the server.
 */
import { ASSERTION_VIEWS, AssertionView, DEFAULT_ASSERTION_VIEW } from '../assertion/view';

export type ExecutionProvider = 'auto' | 'cpu' | 'webgpu' | 'cuda';
export type SeverityName = 'hint' | 'information' | 'warning' | 'off';
export type TraceLevel = 'off' | 'messages' | 'verbose';
export type RoutingMode = 'auto' | 'off';

export interface ErlensSettings {
  models: string[];
  modelPaths: string[];
  executionProvider: ExecutionProvider;
  /** 'auto': packages run only on documents of the domain they were trained for (routing/domainRouter.ts). */
  routing: RoutingMode;
  /** One severity for every relation type, or one per relation type with "*" as the default. */
  diagnosticsSeverity: SeverityName | Record<string, SeverityName>;
  diagnosticsMaxPerDocument: number;
  /** Which relations the editor shows by assertion status (assertion/view.ts). */
  assertionsShow: AssertionView;
  codeLensEnabled: boolean;
  /** Sentences with more relations than this get one summary lens instead of one lens each. */
  codeLensMaxPerSentence: number;
  debounceMs: number;
  /** Documents larger than this (UTF-16 code units) are not annotated; their results are cleared. */
  maxFileSize: number;
  trace: TraceLevel;
  exportDirectory: string;
  exportFormats: string[];
  threads: number;
  /** Megabytes the per-sentence result cache may hold (not in package.json: a tuning knob). */
  cacheMegabytes: number;
}

export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'ntriples', 'brat'] as const;

export const DEFAULT_SETTINGS: Readonly<ErlensSettings> = Object.freeze({
  models: ['mge-ade', 'mge-conll04'],
  modelPaths: [],
  executionProvider: 'auto',
  routing: 'auto',
  diagnosticsSeverity: 'information',
  diagnosticsMaxPerDocument: 200,
  assertionsShow: DEFAULT_ASSERTION_VIEW,
  codeLensEnabled: true,
  codeLensMaxPerSentence: 3,
  debounceMs: 300,
  maxFileSize: 2_000_000,
  trace: 'off',
  exportDirectory: '',
  exportFormats: [...EXPORT_FORMATS],
  threads: 0,
  cacheMegabytes: 32,
});

const SEVERITIES: readonly SeverityName[] = ['hint', 'information', 'warning', 'off'];
const PROVIDERS: readonly ExecutionProvider[] = ['auto', 'cpu', 'webgpu', 'cuda'];
const TRACES: readonly TraceLevel[] = ['off', 'messages', 'verbose'];
const ROUTING: readonly RoutingMode[] = ['auto', 'off'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function stringList(value: unknown, fallback: string[]): string[] {
  if (!Array.isArray(value)) return fallback;
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

function integer(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function severity(value: unknown): ErlensSettings['diagnosticsSeverity'] {
  if (typeof value === 'string') return oneOf(value, SEVERITIES, 'information');
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const perType: Record<string, SeverityName> = {};
    for (const [type, v] of Object.entries(value)) {
      if (typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v)) perType[type] = v as SeverityName;
    }
    return perType;
  }
  return DEFAULT_SETTINGS.diagnosticsSeverity;
}

/** Reads a nested key such as "diagnostics.severity" from either nested objects or dotted keys. */
function pick(raw: Record<string, unknown>, dotted: string): unknown {
  if (dotted in raw) return raw[dotted];
  let node: unknown = raw;
  for (const part of dotted.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Turns the client's `erlens` configuration section (possibly partial or malformed) into settings. */
export function normalizeSettings(raw: unknown): ErlensSettings {
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const d = DEFAULT_SETTINGS;
  const models = stringList(pick(r, 'models'), d.models);
  const formats = stringList(pick(r, 'export.formats'), d.exportFormats).filter((f) =>
    (EXPORT_FORMATS as readonly string[]).includes(f),
  );
  return {
    models: models.length > 0 ? models : [...d.models],
    modelPaths: stringList(pick(r, 'modelPaths'), []),
    executionProvider: oneOf(pick(r, 'executionProvider'), PROVIDERS, d.executionProvider),
    routing: oneOf(pick(r, 'routing'), ROUTING, d.routing),
    diagnosticsSeverity: severity(pick(r, 'diagnostics.severity')),
    diagnosticsMaxPerDocument: integer(pick(r, 'diagnostics.maxPerDocument'), d.diagnosticsMaxPerDocument, 0, 100_000),
    assertionsShow: oneOf(pick(r, 'assertions.show'), ASSERTION_VIEWS, d.assertionsShow),
    codeLensEnabled: pick(r, 'codeLens.enabled') !== false,
    codeLensMaxPerSentence: integer(pick(r, 'codeLens.maxPerSentence'), d.codeLensMaxPerSentence, 1, 1000),
    debounceMs: integer(pick(r, 'debounceMs'), d.debounceMs, 0, 60_000),
    maxFileSize: integer(pick(r, 'maxFileSize'), d.maxFileSize, 0, Number.MAX_SAFE_INTEGER),
    trace: oneOf(pick(r, 'trace.server'), TRACES, d.trace),
    exportDirectory: typeof pick(r, 'export.directory') === 'string' ? (pick(r, 'export.directory') as string) : '',
    exportFormats: formats.length > 0 ? formats : [...d.exportFormats],
    threads: integer(pick(r, 'threads'), d.threads, 0, 256),
    cacheMegabytes: integer(pick(r, 'cacheMegabytes'), d.cacheMegabytes, 1, 4096),
  };
}

/** The severity a relation type gets; per-type objects fall back to "*" and then to the default. */
export function severityFor(settings: ErlensSettings, relationType: string): SeverityName {
  const s = settings.diagnosticsSeverity;
  if (typeof s === 'string') return s;
  return s[relationType] ?? s['*'] ?? 'information';
}

/** Settings whose change needs the models reloaded (everything else applies on the next request). */
export function modelSettingsChanged(a: ErlensSettings, b: ErlensSettings): boolean {
  return (
    a.models.join('\n') !== b.models.join('\n') ||
    a.modelPaths.join('\n') !== b.modelPaths.join('\n') ||
    a.executionProvider !== b.executionProvider ||
    a.routing !== b.routing ||
    a.threads !== b.threads ||
    a.cacheMegabytes !== b.cacheMegabytes
  );
}
