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
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type { Connection, InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations } from '../pipeline/types';
import { buildCodeLenses } from './codeLens';
import { buildDiagnostics } from './diagnostics';
import { runExport } from './exportCommand';
import { buildHover } from './hover';
import { Logger } from './logger';
import { ModelHost } from './modelHost';
import { listPackages, searchRoots } from './packageLocator';
import { EXPORT_COMMAND, LIST_MODELS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION } from './protocol';
import type { ExportArguments, PackageSummary, ServerStats } from './protocol';
import { AnnotationScheduler } from './scheduler';
import { buildSemanticTokens } from './semanticTokens';
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
  let support: ClientSupport = { configuration: false, dynamicConfiguration: false, relatedInformation: false, semanticTokensRefresh: false, codeLensRefresh: false };
  let extraRoots: string[] = [];
  let workspaceFolders: string[] = [];

  const models = new ModelHost({
    logger,
    // A notification, not showMessageRequest: nothing to answer, and every client shows it.
    showError: (m) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: m }),
    extraRoots: () => extraRoots,
  });

  const scheduler = new AnnotationScheduler({
    getDocument: (uri) => documents.get(uri),
    getAnnotator: () => models.annotator(),
    debounceMs: () => settings.debounceMs,
    maxFileSize: () => settings.maxFileSize,
    onAnnotated: (uri, annotations) => publish(uri, annotations),
    logger,
  });

  function stats(): ServerStats {
    const annotator = models.loadedNow();
    const counters = annotator?.counters() ?? { cacheHits: 0, cacheMisses: 0 };
    return {
      models: annotator?.models().length ? annotator.models() : [],
      executionProvider: annotator?.executionProvider() ?? (annotator ? settings.executionProvider : 'none'),
      cacheHits: counters.cacheHits,
      cacheMisses: counters.cacheMisses,
      inferredSentences: scheduler.inferredSentences,
      runsCompleted: scheduler.runsCompleted,
      runsAborted: scheduler.runsAborted,
      openDocuments: documents.size,
      busyDocuments: scheduler.busyCount(),
      problems: models.problems(),
      loading: models.loading,
    };
  }

  // The status item does not need every run: at most one notification per 250 ms.
  let statusTimer: NodeJS.Timeout | undefined;
  function sendStatusSoon(): void {
    if (statusTimer) return;
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      void connection.sendNotification(STATUS_NOTIFICATION, stats()).catch(() => undefined);
    }, 250);
  }

  function publish(uri: string, annotations: DocumentAnnotations): void {
    const document = documents.get(uri);
    if (!document) return;
    const diagnostics = buildDiagnostics(document, annotations, { settings, relatedInformation: support.relatedInformation });
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
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
        semanticTokensProvider: { legend: LEGEND, full: true, range: true },
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
    scheduler.schedule(t.uri, true);
  });

  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const document = documents.get(t.uri);
    if (!document) return;
    for (const change of contentChanges) {
      const start = 'range' in change ? document.offsetAt(change.range.start) : 0;
      const end = 'range' in change ? document.offsetAt(change.range.end) : document.getText().length;
      TextDocument.update(document, [change], t.version);
      scheduler.applyEdit(t.uri, { start, end, insertedLength: change.text.length }, t.version);
    }
    scheduler.schedule(t.uri);
  });

  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    documents.delete(t.uri);
    scheduler.close(t.uri);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
    sendStatusSoon();
  });

  connection.languages.semanticTokens.on(({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    return document ? buildSemanticTokens(document, scheduler.get(document.uri), undefined, settings.assertionsShow) : { data: [] };
  });

  connection.languages.semanticTokens.onRange(({ textDocument, range }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    scheduler.noteVisibleRange(document.uri, document.offsetAt(range.start), document.offsetAt(range.end));
    return buildSemanticTokens(document, scheduler.get(document.uri), range, settings.assertionsShow);
  });

  connection.onHover(({ textDocument, position }) => {
    const document = documents.get(textDocument.uri);
    return document ? buildHover(document, scheduler.get(document.uri), position) : null;
  });

  connection.onCodeLens(({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    return document ? buildCodeLenses(document, scheduler.get(document.uri), settings) : [];
  });

  connection.onExecuteCommand(async ({ command, arguments: args }) => {
    if (command !== EXPORT_COMMAND) return null;
    // Progress in the editor's status area (a no-op for clients without window/workDoneProgress).
    const progress = await connection.window.createWorkDoneProgress();
    progress.begin('ERlens: exporting triples', 0, undefined, false);
    try {
      return await exportTriples((args?.[0] ?? {}) as ExportArguments, (done, total, uri) =>
        progress.report(Math.round((100 * done) / Math.max(1, total)), `${done + 1}/${total} ${path.basename(uri)}`),
      );
    } finally {
      progress.done();
    }
  });

  function exportTriples(args: ExportArguments, onProgress: (done: number, total: number, uri: string) => void) {
    return runExport(args, {
      settings,
      workspaceFolders,
      documents,
      annotationsFor: async (document) => {
        if (documents.get(document.uri) === document) {
          await scheduler.whenCurrent(document.uri);
          const a = scheduler.get(document.uri);
          if (a && a.version === document.version) return a;
        }
        const annotator = await models.annotator();
        if (!annotator) return undefined;
        return annotator.annotate(document.uri, document.version, document.getText(), document.languageId, {});
      },
      logger,
      progress: onProgress,
    });
  }

  connection.onRequest(STATS_REQUEST, () => stats());

  connection.onRequest(LIST_MODELS_REQUEST, (): PackageSummary[] => {
    const active = new Set(settings.models);
    return listPackages(searchRoots(settings.modelPaths, extraRoots)).map((p) => ({
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
