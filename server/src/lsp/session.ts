/**
 * The state of one language server session and how its parts are wired: open documents, settings,
 * what the client supports, the model host (worker), the scheduler, and what publishes results.
 * The LSP handlers (initialize.ts, configuration.ts, documentSync.ts, featureRequests.ts,
 * commands.ts, infoRequests.ts) read and change it; nothing here registers a handler.
 */
import { MessageType, ShowMessageNotification } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
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

export class ServerSession {
  readonly documents = new Map<string, TextDocument>();
  readonly logger: Logger;
  private current: ErlensSettings = { ...DEFAULT_SETTINGS };
  support: ClientSupport = { ...NO_CLIENT_SUPPORT };
  /** Package roots the client passed (initializationOptions.modelsDir: the extension's models/). */
  extraRoots: string[] = [];
  /** The workspace folders' paths (file: URIs only): where exports may write. */
  workspaceFolders: string[] = [];

  readonly models: ModelHost;
  readonly scheduler: AnnotationScheduler;
  readonly publisher: AnnotationPublisher;
  readonly progress: AnalysisProgress;
  readonly tokens = new SentTokens();
  /** Memory back to the system when the user pauses after many edits or closes a document. */
  readonly compactor: IdleCompactor;

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
        this.publisher.publish(uri, annotations, { complete, progress });
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

  /** (Re)loads the models the settings name, then analyses every open document again. */
  reloadModels(): void {
    void this.models.load(this.current).then(() => {
      this.publisher.sendStatusSoon();
      this.scheduler.rescheduleAll();
    });
  }

  /** Publishes every open document again from the annotations kept (presentation settings changed). */
  republishAll(): void {
    for (const uri of this.documents.keys()) {
      const a = this.scheduler.get(uri);
      if (a) this.publisher.publish(uri, a);
    }
  }

  stats(): ServerStats {
    return serverStats({ models: this.models, scheduler: this.scheduler, openDocuments: this.documents.size, settings: this.current });
  }
}
