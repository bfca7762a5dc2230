/**
 * The `erlens.*` settings: the one typed source of their names, defaults and allowed values, and how
 * raw client values become them. package.json's `contributes.configuration` declares the same
 * settings for VS Code; settings.test.ts fails when the two disagree (a key, a default or an enum).
 * The CLI takes its default models from here too.
 *
 * Every value from the client is untrusted JSON: anything malformed falls back to the default, so a
 * typo in settings.json degrades one setting instead of stopping the server.
 */
import { ASSERTION_VIEWS, AssertionView, DEFAULT_ASSERTION_VIEW } from '../assertion/view';
import { DEFAULT_EXPORT_FORMATS, EXPORT_FORMATS } from '../export/formatNames';
import { EXECUTION_PROVIDER_SETTINGS } from '../model/session';
import type { ExecutionProviderSetting } from '../model/session';

export type SeverityName = 'hint' | 'information' | 'warning' | 'off';
export type TraceLevel = 'off' | 'messages' | 'verbose';
export type RoutingMode = 'auto' | 'off';

export interface ErlensSettings {
  models: string[];
  modelPaths: string[];
  executionProvider: ExecutionProviderSetting;
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
  /** ORT intra-op threads per session (0: ONNX Runtime's default). */
  threads: number;
  /** Megabytes the per-sentence result cache may hold. */
  cacheMegabytes: number;
  /** Keep the workspace's triples in .erlens/index.sqlite, for "Relations of…" and `erlens query`. */
  workspaceIndexEnabled: boolean;
}

/** Each setting's key under `erlens.` (what the client sends and package.json declares). */
export const SETTING_KEYS: Readonly<Record<keyof ErlensSettings, string>> = Object.freeze({
  models: 'models',
  modelPaths: 'modelPaths',
  executionProvider: 'executionProvider',
  routing: 'routing',
  diagnosticsSeverity: 'diagnostics.severity',
  diagnosticsMaxPerDocument: 'diagnostics.maxPerDocument',
  assertionsShow: 'assertions.show',
  codeLensEnabled: 'codeLens.enabled',
  codeLensMaxPerSentence: 'codeLens.maxPerSentence',
  debounceMs: 'debounceMs',
  maxFileSize: 'maxFileSize',
  trace: 'trace.server',
  exportDirectory: 'export.directory',
  exportFormats: 'export.formats',
  threads: 'threads',
  cacheMegabytes: 'cacheMegabytes',
  workspaceIndexEnabled: 'workspaceIndex.enabled',
});

export const DEFAULT_SETTINGS: Readonly<ErlensSettings> = Object.freeze({
  models: ['mge-clinical', 'mge-conll04-mix'],
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
  exportFormats: [...DEFAULT_EXPORT_FORMATS],
  threads: 0,
  cacheMegabytes: 32,
  workspaceIndexEnabled: true,
});

/** The allowed values of each enumerated setting (package.json's `enum`s must list the same). */
export const SETTING_VALUES = Object.freeze({
  executionProvider: EXECUTION_PROVIDER_SETTINGS,
  routing: ['auto', 'off'] as readonly RoutingMode[],
  diagnosticsSeverity: ['hint', 'information', 'warning', 'off'] as readonly SeverityName[],
  assertionsShow: ASSERTION_VIEWS,
  trace: ['off', 'messages', 'verbose'] as readonly TraceLevel[],
  exportFormats: EXPORT_FORMATS,
});
const SEVERITIES = SETTING_VALUES.diagnosticsSeverity;
const PROVIDERS = SETTING_VALUES.executionProvider;
const TRACES = SETTING_VALUES.trace;
const ROUTING = SETTING_VALUES.routing;

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
  const input = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const r = (key: keyof ErlensSettings) => pick(input, SETTING_KEYS[key]);
  const d = DEFAULT_SETTINGS;
  const models = stringList(r('models'), d.models);
  const formats = stringList(r('exportFormats'), d.exportFormats).filter((f) =>
    (EXPORT_FORMATS as readonly string[]).includes(f),
  );
  return {
    models: models.length > 0 ? models : [...d.models],
    modelPaths: stringList(r('modelPaths'), []),
    executionProvider: oneOf(r('executionProvider'), PROVIDERS, d.executionProvider),
    routing: oneOf(r('routing'), ROUTING, d.routing),
    diagnosticsSeverity: severity(r('diagnosticsSeverity')),
    diagnosticsMaxPerDocument: integer(r('diagnosticsMaxPerDocument'), d.diagnosticsMaxPerDocument, 0, 100_000),
    assertionsShow: oneOf(r('assertionsShow'), ASSERTION_VIEWS, d.assertionsShow),
    codeLensEnabled: r('codeLensEnabled') !== false,
    codeLensMaxPerSentence: integer(r('codeLensMaxPerSentence'), d.codeLensMaxPerSentence, 1, 1000),
    debounceMs: integer(r('debounceMs'), d.debounceMs, 0, 60_000),
    maxFileSize: integer(r('maxFileSize'), d.maxFileSize, 0, Number.MAX_SAFE_INTEGER),
    trace: oneOf(r('trace'), TRACES, d.trace),
    exportDirectory: typeof r('exportDirectory') === 'string' ? (r('exportDirectory') as string) : '',
    exportFormats: formats.length > 0 ? formats : [...d.exportFormats],
    threads: integer(r('threads'), d.threads, 0, 256),
    cacheMegabytes: integer(r('cacheMegabytes'), d.cacheMegabytes, 1, 4096),
    workspaceIndexEnabled: r('workspaceIndexEnabled') !== false,
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
