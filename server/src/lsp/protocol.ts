/**
 * ERlens' own LSP messages and command ids, shared by server, VS Code client (client/src/protocol.ts
 * re-exports this file; esbuild bundles it into both sides), the CLI's LSP driver and tests — as
 * rust-analyzer's lsp_ext.ts. Imports only what the client can bundle (formatNames has no imports).
 */
export { EXPORT_FORMATS, FILE_EXTENSIONS, FOLDER_FORMATS } from '../export/formatNames';
export type { ExportFormat } from '../export/formatNames';
export type { IndexAnswer, IndexedArgument, IndexedRelation, IndexQuery, IndexRunSummary } from '../workspaceIndex/types';

/** Every command id package.json contributes (settings.test.ts checks the two lists agree). */
export const COMMANDS = Object.freeze({
  /** Server command (workspace/executeCommand): export triples. */
  exportTriples: 'erlens.exportTriples',
  /** Server command: apply a correction from a code action (CorrectionArguments). */
  correct: 'erlens.correct',
  selectModels: 'erlens.selectModels',
  showOutput: 'erlens.showOutput',
  restartServer: 'erlens.restartServer',
  /** Client commands the server's code lenses invoke: select a relation's other argument, pick among a sentence's relations. */
  revealRange: 'erlens.revealRange',
  pickRelation: 'erlens.pickRelation',
  /** Client command: the relation graph webview of the current document (client/src/graphPanel.ts). */
  showRelationGraph: 'erlens.showRelationGraph',
  /** Client command: the same webview over the workspace index's relations. */
  showWorkspaceGraph: 'erlens.showWorkspaceGraph',
  /** Client command (the walkthrough's first step): the bundled sample note, as a new unsaved document. */
  openSampleNote: 'erlens.openSampleNote',
  /** Client commands: the workspace index's "Relations of…" tree view (client/src/relationsView.ts), and indexing again. */
  relationsOf: 'erlens.relationsOf',
  reindexWorkspace: 'erlens.reindexWorkspace',
});

/**
 * Environment the editors start the server with (glibc's malloc; `erlens bench --lsp` starts the
 * server the same way).
 *  - MALLOC_ARENA_MAX: glibc gives every thread that allocates its own arena (the message loop, the
 *    analysis worker, ONNX Runtime's pool), and freed native memory stays in them: two arenas measured
 *    195 MB RSS after closing a 2,000-sentence note instead of 207, and 204 MB after its cold analysis
 *    instead of 220.
 *  - MALLOC_MMAP_THRESHOLD_: glibc raises its mmap threshold after each large free, so ONNX Runtime's
 *    big tensors (a long sentence's span tables run to tens of MB) then come from the heap and leave it
 *    fragmented. Fixed at 4 MB they are mapped and unmapped: over 1,000 paced edits the idle RSS grew
 *    0.5-5.8% (four runs; 1.9-8.6% in five without), the peak RSS of `erlens bench` was 237 MB instead
 *    of 250, at the same CPU time (5.4 vs 5.3 s, three runs each).
 */
export const SERVER_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: String(4 * 2 ** 20) });

/**
 * Node flags the editors start the server with. V8 grows the young generation of a busy isolate up
 * to 16 MB per semi-space and keeps it: the message loop allocates little at a time (messages,
 * ranges), so 2 MB semi-spaces cost it nothing measurable and keep its RSS from creeping up over a
 * long editing session. (The analysis worker's young generation is capped where it is started,
 * analysisHost.ts.)
 */
export const SERVER_EXEC_ARGV: readonly string[] = Object.freeze(['--max-semi-space-size=2']);

/** Request `erlens/stats` → ServerStats: counters tests and the status item read. */
export const STATS_REQUEST = 'erlens/stats';
/** Request `erlens/listModels` → PackageSummary[]: installed packages, for "Select Models". */
export const LIST_MODELS_REQUEST = 'erlens/listModels';
/** Notification `erlens/status` (server → client) with ServerStats, after each run and model load. */
export const STATUS_NOTIFICATION = 'erlens/status';
/**
 * Notification `erlens/visibleRange` (client → server) { uri, range }: what the editor shows, so a cold
 * document is analysed from there first (without it: from the last range semantic tokens were asked
 * for, else from the top).
 */
export const VISIBLE_RANGE_NOTIFICATION = 'erlens/visibleRange';
/**
 * Notification `erlens/documentStatus` (server → client) DocumentStatus, right after each
 * publishDiagnostics: whether those diagnostics cover the whole document or only the sentences
 * analysed so far (a cold document is published in waves), and how far the analysis is.
 */
export const DOCUMENT_STATUS_NOTIFICATION = 'erlens/documentStatus';
/**
 * Request `erlens/relationGraph` { uri } → GraphData: the document's entities and relations as a graph; or
 * { scope: 'workspace' }: the workspace index's relations, their arguments as nodes (relationGraph.ts).
 */
export const RELATION_GRAPH_REQUEST = 'erlens/relationGraph';

/** A range in LSP's shape (the client may bundle this file without vscode-languageserver). */
export interface GraphRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
  /** The mention's document, where it is not the graph's (a workspace graph). */
  uri?: string;
}
export interface GraphNode {
  id: string;
  label: string;
  type: string;
  mentions: GraphRange[];
  assertions: string[];
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  type: string;
  count: number;
  assertions: string[];
}
export interface GraphData {
  /** The document (a workspace graph: the first workspace folder's URI). */
  uri: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** More entities than the graph shows (relationGraph.MAX_GRAPH_NODES): the busiest are kept. */
  truncated: boolean;
}

/** Request `erlens/indexQuery` (IndexQuery → IndexAnswer): the relations of an entity text across the workspace index. */
export const INDEX_QUERY_REQUEST = 'erlens/indexQuery';
/** Request `erlens/indexEntities` ({ prefix, limit? } → IndexedEntityText[]): entity texts of the index starting with `prefix`, most mentioned first. */
export const INDEX_ENTITIES_REQUEST = 'erlens/indexEntities';
export interface IndexedEntityText {
  text: string;
  type: string;
  mentions: number;
}
/** Request `erlens/reindex` (no params → IndexRunSummary[]): bring the workspace index up to date now (with progress). */
export const REINDEX_REQUEST = 'erlens/reindex';

/** Notification `erlens/workspaceTrusted` (client → server), no params: the user granted workspace trust since the server started. */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'erlens/workspaceTrusted';

export interface DocumentStatus {
  uri: string;
  version: number;
  /** Every sentence of this version is analysed. */
  complete: boolean;
  progress?: { done: number; total: number };
}
/** Server command: export triples; arguments [ExportArguments]; result ExportResult. */
export const EXPORT_COMMAND = COMMANDS.exportTriples;
/** Server command: a correction the user chose among the code actions; arguments [CorrectionArguments]; result CorrectionResult. */
export const CORRECT_COMMAND = COMMANDS.correct;

/** An entity or relation fix within one sentence (offsets within `sentence`), or a text to ignore everywhere. */
export type CorrectionArguments =
  | { uri: string; sentence: string; correction: import('../corrections/types').Correction }
  | { uri: string; ignore: string };

export interface CorrectionResult {
  applied: boolean;
  /** The files the correction was written to (none in an untrusted workspace or without a folder). */
  written: string[];
}

export interface ServerStats {
  models: string[];
  executionProvider: string;
  cacheHits: number;
  cacheMisses: number;
  /** Bytes the sentence cache holds (it is bounded: erlens.cacheMegabytes). */
  cacheBytes: number;
  inferredSentences: number;
  runsCompleted: number;
  runsAborted: number;
  openDocuments: number;
  busyDocuments: number;
  problems: { package: string; message: string }[];
  loading: boolean;
  /** The server process's resident set (worker and ORT included) and the message loop's V8 heap (used, and committed: what the RSS sees). */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory of the message loop's objects outside its heap (ArrayBuffers, message buffers). */
  externalBytes: number;
  /** The analysis worker's V8 heap (used, committed) and external memory, and how many documents it keeps an analysis of. */
  workerHeapUsedBytes: number;
  workerHeapTotalBytes: number;
  workerExternalBytes: number;
  workerDocuments: number;
}

/** An installed package as "Select Models" lists it; `active` = named in erlens.models. */
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
  /** `document` (needs uri), `open` (every open document) or `workspace` (Markdown/text files under the workspace folders). */
  scope?: 'document' | 'open' | 'workspace';
  uri?: string;
  formats?: string[];
  /** Output folder; default erlens.export.directory, else `erlens-export` in the first workspace folder, else next to the document. */
  directory?: string;
  /** File name (without extension) of the one-file formats; default the document's name, or `erlens-triples` for several documents. */
  name?: string;
}

export interface ExportResult {
  files: string[];
  documents: number;
  entities: number;
  relations: number;
  skipped: { uri: string; reason: string }[];
}
