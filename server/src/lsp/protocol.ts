/**
 * ERlens' own LSP messages, shared by server, VS Code client (client/src/protocol.ts re-exports this
 * file; esbuild bundles it into both sides) and tests.
 */
import type { PackageInfo } from './packageLocator';

/** Request `erlens/stats` → ServerStats: counters tests and the status item read. */
export const STATS_REQUEST = 'erlens/stats';
/** Request `erlens/listModels` → PackageSummary[]: installed packages, for "Select Models". */
export const LIST_MODELS_REQUEST = 'erlens/listModels';
/** Notification `erlens/status` (server → client) with ServerStats, after each run and model load. */
export const STATUS_NOTIFICATION = 'erlens/status';
/** Server command: export triples; arguments [ExportArguments]; result ExportResult. */
export const EXPORT_COMMAND = 'erlens.exportTriples';

export interface ServerStats {
  models: string[];
  executionProvider: string;
  cacheHits: number;
  cacheMisses: number;
  inferredSentences: number;
  runsCompleted: number;
  runsAborted: number;
  openDocuments: number;
  busyDocuments: number;
  problems: { package: string; message: string }[];
  loading: boolean;
}

/** An installed package as "Select Models" lists it; `active` = named in erlens.models. */
export interface PackageSummary extends Omit<PackageInfo, 'devScores'> {
  active: boolean;
}

export interface ExportArguments {
  /** `document` (needs uri), `open` (every open document) or `workspace` (Markdown/text files under the workspace folders). */
  scope?: 'document' | 'open' | 'workspace';
  uri?: string;
  formats?: string[];
  /** Output folder; default erlens.export.directory, else `erlens-export` in the first workspace folder, else next to the document. */
  directory?: string;
}

export interface ExportResult {
  files: string[];
  documents: number;
  entities: number;
  relations: number;
  skipped: { uri: string; reason: string }[];
}
