/**
 * The state of one language server session and how its parts are wired: open documents, settings,
 * what the client supports, the model host (worker), the scheduler, and what publishes results.
 * The LSP handlers (initialize.ts, configuration.ts, documentSync.ts, featureRequests.ts,
 * commands.ts, infoRequests.ts) read and change it; nothing here registers a handler.
 */
import { MessageType, ShowMessageNotification } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations } from '../annotations/types';
import { CorrectionStore } from '../corrections/store';
import { loadCorrections } from '../corrections/workspaceFiles';
import { AnalysisProgress } from './analysisProgress';
import { NO_CLIENT_SUPPORT } from './clientSupport';
import type { ClientSupport } from './clientSupport';
import { collectGarbage, IdleCompactor } from './compaction';
import { Logger } from './logger';
import { ModelHost } from './modelHost';
import type { ServerStats } from './protocol';
import { AnnotationPublisher } from './publisher';
import { AnnotationScheduler } from './scheduler';
import { SentTokens } from './sentTokens';
import { serverStats } from './serverStats';
import { DEFAULT_SETTINGS } from './settings';
import type { ErlensSettings } from './settings';
import { WorkspaceIndexing } from './workspaceIndexing';

export class ServerSession {
  readonly documents = new Map<string, TextDocument>();
  readonly logger: Logger;
  private current: ErlensSettings = { ...DEFAULT_SETTINGS };
  support: ClientSupport = { ...NO_CLIENT_SUPPORT };
  /** Package roots the client passed (initializationOptions.modelsDir: the extension's models/). */
  extraRoots: string[] = [];
  /** The workspace folders' paths (file: URIs only): where exports may write. */
  workspaceFolders: string[] = [];
  /** Whether the editor trusts the workspace (initializationOptions.workspaceTrusted; editors without the notion: yes). Untrusted: corrections stay in memory. */
  workspaceTrusted = true;
  /** The user's corrections (code actions), applied to every annotation the features read. */
  readonly corrections = new CorrectionStore();

  readonly models: ModelHost;
  readonly scheduler: AnnotationScheduler;
  readonly publisher: AnnotationPublisher;
  readonly progress: AnalysisProgress;
  readonly tokens = new SentTokens();
  /** Memory back to the system when the user pauses after many edits or closes a document. */
  readonly compactor: IdleCompactor;
  /** The workspace's triples (.erlens/index.sqlite), for "Relations of…" across files. */
  readonly index: WorkspaceIndexing;

  constructor(connection: Connection) {
    this.logger = new Logger({
      error: (m) => connection.console.error(m),
      warn: (m) => connection.console.warn(m),
      info: (m) => connection.console.info(m),
      log: (m) => connection.console.log(m),
    });
    // The worker's patches go to the scheduler, which keeps them and hands them to the publisher.
    this.models = new ModelHost({
      logger: this.logger,
      // A notification, not showMessageRequest: nothing to answer, and every client shows it.
      showError: (m) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: m }),
      extraRoots: () => this.extraRoots,
      events: (host) => ({
        patch: (patch) => this.scheduler.onPatch(host()!, patch),
        finished: (m) => this.scheduler.onFinished(host()!, m),
        restarted: (culprits) => this.scheduler.rescheduleAll(culprits),
      }),
    });
    this.scheduler = new AnnotationScheduler({
      getDocument: (uri) => this.documents.get(uri),
      getHost: () => this.models.host(),
      debounceMs: () => this.current.debounceMs,
      maxFileSize: () => this.current.maxFileSize,
      onAnnotated: (uri, annotations, complete, progress) => {
        const shown = this.corrected(uri, annotations);
        this.publisher.publish(uri, shown, { complete, progress });
        this.indexAnnotations(uri, shown, complete);
        this.compactor.activity(0);
      },
      onProgress: (uri, progress) => this.progress.report(uri, progress),
      logger: this.logger,
    });
    this.publisher = new AnnotationPublisher(connection, {
      document: (uri) => this.documents.get(uri),
      settings: () => this.current,
      support: () => this.support,
      stats: () => this.stats(),
    });
    this.progress = new AnalysisProgress({
      enabled: () => this.support.workDoneProgress,
      create: () => connection.window.createWorkDoneProgress(),
    });
    this.index = new WorkspaceIndexing(
      {
        logger: this.logger,
        settings: () => this.current,
        folders: () => this.workspaceFolders,
        trusted: () => this.workspaceTrusted,
        isOpen: (uri) => this.documents.has(uri),
        host: () => this.models.host(),
        corrected: (annotations, text) => this.corrections.apply(annotations, text),
        workDoneProgress: () => this.support.workDoneProgress,
      },
      connection,
    );
    this.compactor = new IdleCompactor(() => {
      this.models.loadedNow()?.compact();
      collectGarbage();
    });
  }

  get settings(): ErlensSettings {
    return this.current;
  }

  /** Takes `next` as the settings (and its trace level); reloading or republishing is the caller's. */
  useSettings(next: ErlensSettings): void {
    this.current = next;
    this.logger.level = next.trace;
  }

  /** (Re)loads the models the settings name, then analyses every open document again and brings the workspace index up to date. */
  reloadModels(): void {
    void this.models.load(this.current).then(() => {
      this.publisher.sendStatusSoon();
      this.scheduler.rescheduleAll();
      void this.index.reindex().catch((error) => this.logger.error(`workspace index: ${(error as Error).stack ?? error}`));
    });
  }

  /** Publishes every open document again from the annotations kept (presentation settings or corrections changed). */
  republishAll(): void {
    for (const uri of this.documents.keys()) {
      const a = this.annotationsOf(uri);
      if (!a) continue;
      this.publisher.publish(uri, a);
      this.indexAnnotations(uri, a, this.scheduler.isComplete(uri));
    }
  }

  /** What the editor shows of an open document goes into the workspace index once it covers the whole text of this version. */
  private indexAnnotations(uri: string, shown: DocumentAnnotations, complete: boolean): void {
    const document = this.documents.get(uri);
    if (document && shown.version === document.version) this.index.documentAnnotated(uri, document.getText(), shown, complete);
  }

  /** An open document's annotations as the editor shows them: the models' results with the user's corrections. */
  annotationsOf(uri: string): DocumentAnnotations | undefined {
    const a = this.scheduler.get(uri);
    return a && this.corrected(uri, a);
  }

  private corrected(uri: string, a: DocumentAnnotations): DocumentAnnotations {
    const document = this.documents.get(uri);
    return document && a.version === document.version ? this.corrections.apply(a, document.getText()) : a;
  }

  /** Reads the corrections kept in the workspace folders (trusted workspaces only). */
  loadWorkspaceCorrections(): void {
    if (!this.workspaceTrusted) return;
    for (const folder of this.workspaceFolders) {
      const { loaded, problems } = loadCorrections(folder, this.corrections);
      if (loaded) this.logger.info(`corrections: ${loaded} read from ${folder}`);
      for (const p of problems) this.logger.warn(`corrections: ${p}`);
    }
  }

  stats(): ServerStats {
    return serverStats({ models: this.models, scheduler: this.scheduler, openDocuments: this.documents.size, settings: this.current });
  }
}
