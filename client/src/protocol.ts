/**
 * The ERlens LSP message names and payloads the client uses. They mirror server/src/lsp/protocol.ts
 * (a test compares the two files' constants), copied because client and server are separate TypeScript
 * projects that are bundled separately.
 */
export const STATS_REQUEST = 'erlens/stats';
export const LIST_MODELS_REQUEST = 'erlens/listModels';
export const STATUS_NOTIFICATION = 'erlens/status';
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

export interface PackageSummary {
  id: string;
  dir: string;
  architecture?: string;
  dataset?: string;
  entityTypes: string[];
  relationTypes: string[];
  active: boolean;
}

export interface ExportArguments {
  scope?: 'document' | 'open' | 'workspace';
  uri?: string;
  formats?: string[];
  directory?: string;
}

export interface ExportResult {
  files: string[];
  documents: number;
  entities: number;
  relations: number;
  skipped: { uri: string; reason: string }[];
}
