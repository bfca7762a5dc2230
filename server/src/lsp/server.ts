/**
 * The ERlens language server: wires document sync, settings, the model host and the scheduler to the
 * feature modules. Transport comes from the command line (`--stdio`, `--node-ipc`), so the same entry
 * serves VS Code (IPC), the CLI's `erlens serve --stdio`, Neovim and the tests.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  LSPErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type { CancellationToken, Connection, InitializeParams, InitializeResult, SemanticTokens, SemanticTokensDelta, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isAbortError, throwIfAborted } from '../model/abort';
import type { DocumentAnnotations } from '../annotations/types';
import { buildCodeLenses } from './codeLens';
import { buildDiagnostics } from './diagnostics';
import { runExport } from './exportCommand';
import { buildHover } from './hover';
import { Logger } from './logger';
import { catalogueFor, ModelHost } from './modelHost';
import { DOCUMENT_STATUS_NOTIFICATION, EXPORT_COMMAND, LIST_MODELS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION, VISIBLE_RANGE_NOTIFICATION } from './protocol';
import type { DocumentStatus, ExportArguments, PackageSummary, ServerStats } from './protocol';
import { AnnotationScheduler } from './scheduler';
import { collectGarbage, CHURN_BEFORE_COMPACTION, IdleCompactor } from './compaction';
import { buildSemanticTokens, semanticTokensEdits } from './semanticTokens';
import { DEFAULT_SETTINGS, modelSettingsChanged, normalizeSettings } from './settings';
import type { ErlensSettings } from './settings';
import { LEGEND } from './tokenLegend';

/** What the client announced it can do; features degrade instead of sending what it cannot show. */
interface ClientSupport {
  configuration: boolean;
  dynamicConfiguration: boolean;
  relatedInformation: boolean;
  semanticTokensRefresh: boolean;
  codeLensRefresh: boolean;
  workDoneProgress: boolean;
}

/** A cold document with at least this many sentences to infer gets a progress report in the editor. */
const PROGRESS_MIN_SENTENCES = 100;

/** Cancelled when any of the tokens is: a StopSignal for the pipeline, a promise and callbacks for waits. */
interface CancelSignal {
  readonly aborted: boolean;
  readonly promise: Promise<void>;
  onAbort(f: () => void): void;
}

function stopSignal(...tokens: CancellationToken[]): CancelSignal {
  let aborted = tokens.some((t) => t.isCancellationRequested);
  const callbacks: Array<() => void> = [];
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  const abort = () => {
    if (aborted && callbacks.length === 0) return;
    aborted = true;
    fire();
    for (const f of callbacks.splice(0)) f();
  };
  for (const t of tokens) t.onCancellationRequested(abort);
  if (aborted) fire();
  return {
    get aborted() {
      return aborted;
    },
    promise,
    onAbort: (f) => (aborted ? f() : callbacks.push(f)),
  };
}

/** A request the client cancelled ($/cancelRequest) answers RequestCancelled instead of a result. */
function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new Map<string, TextDocument>();
  const logger = new Logger({
    error: (m) => connection.console.error(m),
    warn: (m) => connection.console.warn(m),
    info: (m) => connection.console.info(m),
    log: (m) => connection.console.log(m),
  });
  let settings: ErlensSettings = { ...DEFAULT_SETTINGS };
  let support: ClientSupport = { configuration: false, dynamicConfiguration: false, relatedInformation: false, semanticTokensRefresh: false, codeLensRefresh: false, workDoneProgress: false };
  let extraRoots: string[] = [];
  let workspaceFolders: string[] = [];

  const models = new ModelHost({
    logger,
    // A notification, not showMessageRequest: nothing to answer, and every client shows it.
    showError: (m) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: m }),
    extraRoots: () => extraRoots,
    events: (host) => ({
      patch: (patch) => scheduler.onPatch(host()!, patch),
      finished: (m) => scheduler.onFinished(host()!, m),
      restarted: (culprits) => scheduler.rescheduleAll(culprits),
    }),
  });

  const scheduler = new AnnotationScheduler({
    getDocument: (uri) => documents.get(uri),
    getHost: () => models.host(),
    debounceMs: () => settings.debounceMs,
    maxFileSize: () => settings.maxFileSize,
    onAnnotated: (uri, annotations, complete, progress) => publish(uri, annotations, { complete, progress }),
    onProgress: (uri, progress) => reportProgress(uri, progress),
    logger,
  });

  function stats(): ServerStats {
    const host = models.loadedNow();
    const memory = process.memoryUsage();
    return {
      models: host?.models.map((m) => m.id) ?? [],
      executionProvider: host?.models.length ? [...new Set(host.models.map((m) => m.provider))].join(', ') : host ? settings.executionProvider : 'none',
      cacheHits: host?.counters.cacheHits ?? 0,
      cacheMisses: host?.counters.cacheMisses ?? 0,
      cacheBytes: host?.counters.cacheBytes ?? 0,
      inferredSentences: scheduler.inferredSentences,
      runsCompleted: scheduler.runsCompleted,
      runsAborted: scheduler.runsAborted,
      openDocuments: documents.size,
      busyDocuments: scheduler.busyCount(),
      problems: models.problems(),
      loading: models.loading,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      workerHeapUsedBytes: host?.counters.heapUsedBytes ?? 0,
      workerDocuments: host?.counters.documents ?? 0,
    };
  }

  // Progress of a cold analysis, one report per document, at the pace patches arrive (about 5 a second).
  // A run that ends between two patches still gets its last report (100%) before the end, so the
  // editor's bar always finishes full instead of vanishing midway.
  const progressOf = new Map<string, { reporter: Promise<WorkDoneProgressServerReporter | undefined>; total: number }>();
  function reportProgress(uri: string, progress: { done: number; total: number } | undefined): void {
    const shown = progressOf.get(uri);
    if (!progress || progress.done >= progress.total) {
      if (shown) {
        progressOf.delete(uri);
        const total = progress?.total ?? shown.total;
        void shown.reporter.then((r) => {
          r?.report(100, `${total}/${total} sentences`);
          r?.done();
        });
      }
      return;
    }
    if (!shown) {
      if (!support.workDoneProgress || progress.total < PROGRESS_MIN_SENTENCES) return;
      const reporter = connection.window.createWorkDoneProgress().then(
        (r) => {
          r.begin(`ERlens: analysing ${path.basename(uri)}`, 0, `0/${progress.total} sentences`, false);
          return r;
        },
        () => undefined,
      );
      progressOf.set(uri, { reporter, total: progress.total });
      return;
    }
    shown.total = progress.total;
    void shown.reporter.then((r) => r?.report(Math.floor((100 * progress.done) / progress.total), `${progress.done}/${progress.total} sentences`));
  }

  // Memory back to the system when the user pauses after many edits or closes a document.
  const compactor = new IdleCompactor(() => {
    models.loadedNow()?.compact();
    collectGarbage();
  });

  // The status item does not need every run: at most one notification per 250 ms.
  let statusTimer: NodeJS.Timeout | undefined;
  function sendStatusSoon(): void {
    if (statusTimer) return;
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      void connection.sendNotification(STATUS_NOTIFICATION, stats()).catch(() => undefined);
    }, 250);
  }

  function publish(uri: string, annotations: DocumentAnnotations, status?: { complete: boolean; progress?: { done: number; total: number } }): void {
    const document = documents.get(uri);
    if (!document) return;
    const diagnostics = buildDiagnostics(document, annotations, { settings, relatedInformation: support.relatedInformation });
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    if (status) {
      const params: DocumentStatus = { uri, version: document.version, complete: status.complete, ...(status.progress ? { progress: status.progress } : {}) };
      void connection.sendNotification(DOCUMENT_STATUS_NOTIFICATION, params).catch(() => undefined);
    }
    if (support.semanticTokensRefresh) void connection.languages.semanticTokens.refresh().catch(() => undefined);
    if (support.codeLensRefresh) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    sendStatusSoon();
  }

  /** The client's current `erlens` section, or undefined when it cannot be asked. */
  async function fetchSettings(): Promise<ErlensSettings | undefined> {
    if (!support.configuration) return undefined;
    try {
      const [raw] = await connection.workspace.getConfiguration([{ section: 'erlens' }]);
      return normalizeSettings(raw);
    } catch (error) {
      logger.warn(`could not read erlens settings: ${String(error)}`);
      return undefined;
    }
  }

  function applySettings(next: ErlensSettings): void {
    const reload = modelSettingsChanged(settings, next);
    settings = next;
    logger.level = next.trace;
    if (reload) {
      void models.load(settings).then(() => {
        sendStatusSoon();
        scheduler.rescheduleAll();
      });
    } else {
      // Severity, caps, lens or assertion settings changed: republish from what we have.
      for (const uri of documents.keys()) {
        const a = scheduler.get(uri);
        if (a) publish(uri, a);
      }
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    support = {
      configuration: !!caps.workspace?.configuration,
      dynamicConfiguration: !!caps.workspace?.didChangeConfiguration?.dynamicRegistration,
      relatedInformation: !!caps.textDocument?.publishDiagnostics?.relatedInformation,
      semanticTokensRefresh: !!caps.workspace?.semanticTokens?.refreshSupport,
      codeLensRefresh: !!caps.workspace?.codeLens?.refreshSupport,
      workDoneProgress: !!caps.window?.workDoneProgress,
    };
    const init = (params.initializationOptions ?? {}) as { settings?: unknown; modelsDir?: string };
    if (typeof init.modelsDir === 'string') extraRoots = [init.modelsDir];
    settings = normalizeSettings(init.settings ?? {});
    logger.level = settings.trace;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspaceFolders = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        semanticTokensProvider: { legend: LEGEND, full: { delta: true }, range: true },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [EXPORT_COMMAND] },
      },
      serverInfo: { name: 'erlens', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    if (support.dynamicConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'erlens' }).catch(() => undefined);
    }
    settings = (await fetchSettings()) ?? settings;
    logger.level = settings.trace;
    logger.info(`ERlens server ${process.pid} ready; models ${settings.models.join(', ')}; provider ${settings.executionProvider}`);
    void models.load(settings).then(() => {
      sendStatusSoon();
      scheduler.rescheduleAll();
    });
  });

  // Changes are applied one after another: two quick notifications must not both see the old
  // settings and load the models twice.
  let settingsQueue = Promise.resolve();
  connection.onDidChangeConfiguration((change) => {
    settingsQueue = settingsQueue.then(async () => {
      const next = support.configuration
        ? await fetchSettings()
        : normalizeSettings((change.settings as { erlens?: unknown } | undefined)?.erlens ?? change.settings);
      if (next) applySettings(next);
    });
  });

  // Document sync by hand (not TextDocuments) because the shift of kept annotations needs each
  // change's range in the old text, which TextDocuments does not pass on.
  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    documents.set(t.uri, TextDocument.create(t.uri, t.languageId, t.version, t.text));
    logger.debug(`opened ${t.uri} (${t.languageId}, ${t.text.length} characters)`);
    logger.documentText(`text of ${t.uri}`, t.text);
    scheduler.open(t.uri);
  });

  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const document = documents.get(t.uri);
    if (!document) return;
    for (const change of contentChanges) {
      const start = 'range' in change ? document.offsetAt(change.range.start) : 0;
      const end = 'range' in change ? document.offsetAt(change.range.end) : document.getText().length;
      TextDocument.update(document, [change], t.version);
      scheduler.edit(t.uri, { start, end, insertedLength: change.text.length }, t.version);
    }
    scheduler.changed(t.uri);
    compactor.activity(contentChanges.length);
  });

  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    documents.delete(t.uri);
    tokensSent.delete(t.uri);
    scheduler.close(t.uri);
    compactor.activity(CHURN_BEFORE_COMPACTION);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
    sendStatusSoon();
  });

  // The editor may say what is on screen; the analysis of a cold document starts there.
  connection.onNotification(VISIBLE_RANGE_NOTIFICATION, (params: { uri?: unknown; range?: { start: { line: number; character: number }; end: { line: number; character: number } } }) => {
    const document = typeof params?.uri === 'string' ? documents.get(params.uri) : undefined;
    if (!document || !params.range?.start || !params.range.end) return;
    scheduler.noteVisibleRange(document.uri, document.offsetAt(params.range.start), document.offsetAt(params.range.end));
  });

  // Semantic tokens: the last array sent per document, so a delta request gets only what changed.
  const tokensSent = new Map<string, { id: string; data: number[] }>();
  let tokenResults = 0;
  function fullTokens(document: TextDocument): SemanticTokens {
    const { data } = buildSemanticTokens(document, scheduler.get(document.uri), undefined, settings.assertionsShow);
    const id = String(++tokenResults);
    tokensSent.set(document.uri, { id, data });
    return { resultId: id, data };
  }

  connection.languages.semanticTokens.on(({ textDocument }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? fullTokens(document) : { data: [] };
  });

  connection.languages.semanticTokens.onDelta(({ textDocument, previousResultId }, token): SemanticTokens | SemanticTokensDelta => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    const previous = tokensSent.get(document.uri);
    const next = fullTokens(document);
    if (!previous || previous.id !== previousResultId) return next;
    return { resultId: next.resultId, edits: semanticTokensEdits(previous.data, next.data) };
  });

  connection.languages.semanticTokens.onRange(({ textDocument, range }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    scheduler.noteVisibleRange(document.uri, document.offsetAt(range.start), document.offsetAt(range.end));
    return buildSemanticTokens(document, scheduler.get(document.uri), range, settings.assertionsShow);
  });

  connection.onHover(({ textDocument, position }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildHover(document, scheduler.get(document.uri), position) : null;
  });

  connection.onCodeLens(({ textDocument }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildCodeLenses(document, scheduler.get(document.uri), settings) : [];
  });

  connection.onExecuteCommand(async ({ command, arguments: args }, token) => {
    if (command !== EXPORT_COMMAND) return null;
    if (token.isCancellationRequested) throw cancelled();
    // Progress in the editor's status area, with a cancel button (a no-op for clients without
    // window/workDoneProgress). Cancelling there or sending $/cancelRequest stops the export before its
    // next document (and the running analysis before its next batch); nothing is written then.
    const progress = await connection.window.createWorkDoneProgress();
    progress.begin('ERlens: exporting triples', 0, undefined, true);
    const stop = stopSignal(token, progress.token);
    try {
      return await exportTriples((args?.[0] ?? {}) as ExportArguments, stop, (done, total, uri) =>
        progress.report(Math.round((100 * done) / Math.max(1, total)), `${done + 1}/${total} ${path.basename(uri)}`),
      );
    } catch (error) {
      if (isAbortError(error) || stop.aborted) throw cancelled();
      throw error;
    } finally {
      progress.done();
    }
  });

  function exportTriples(args: ExportArguments, stop: CancelSignal, onProgress: (done: number, total: number, uri: string) => void) {
    return runExport(args, {
      settings,
      workspaceFolders,
      documents,
      stop,
      annotationsFor: async (document) => {
        if (documents.get(document.uri) === document) {
          await Promise.race([scheduler.whenCurrent(document.uri), stop.promise]);
          throwIfAborted(stop);
          const a = scheduler.get(document.uri);
          if (a && a.version === document.version && !a.skipped && scheduler.isComplete(document.uri)) return a;
        }
        const host = await models.host();
        if (!host) return undefined;
        const annotations = await host.annotate(document.uri, document.version, document.getText(), document.languageId, { signal: stop });
        throwIfAborted(stop);
        return annotations;
      },
      logger,
      progress: onProgress,
    });
  }

  connection.onRequest(STATS_REQUEST, () => stats());

  connection.onRequest(LIST_MODELS_REQUEST, (): PackageSummary[] => {
    const active = new Set(settings.models);
    return catalogueFor(settings, extraRoots).list().map((p) => ({
      id: p.id,
      dir: p.dir,
      architecture: p.architecture,
      dataset: p.dataset,
      entityTypes: p.entityTypes,
      relationTypes: p.relationTypes,
      active: active.has(p.id) || active.has(p.dir) || active.has(path.basename(p.dir)),
    }));
  });

  // One bad document or package must never take the server down: log and keep serving.
  process.on('uncaughtException', (error) => logger.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`));

  connection.listen();
  return connection;
}
