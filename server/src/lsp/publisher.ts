/**
 * What the server pushes when annotations change: the diagnostics, the document's status (complete or
 * a wave of a cold run), refresh requests for semantic tokens and code lenses (which the client pulls),
 * and the throttled erlens/status notification for the status item.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations } from '../annotations/types';
import type { ClientSupport } from './clientSupport';
import { buildDiagnostics } from './diagnostics';
import { DOCUMENT_STATUS_NOTIFICATION, STATUS_NOTIFICATION } from './protocol';
import type { DocumentStatus, ServerStats } from './protocol';
import type { ErlensSettings } from './settings';

/** The status item does not need every run: at most one notification per this many milliseconds. */
const STATUS_INTERVAL_MS = 250;

export interface PublisherHooks {
  document(uri: string): TextDocument | undefined;
  settings(): ErlensSettings;
  support(): ClientSupport;
  stats(): ServerStats;
}

export interface PublishedStatus {
  complete: boolean;
  progress?: { done: number; total: number };
}

export class AnnotationPublisher {
  private statusTimer?: NodeJS.Timeout;

  constructor(
    private readonly connection: Connection,
    private readonly hooks: PublisherHooks,
  ) {}

  /** Publishes `annotations` for the open document's current version; `status` only for fresh analysis results. */
  publish(uri: string, annotations: DocumentAnnotations, status?: PublishedStatus): void {
    const document = this.hooks.document(uri);
    if (!document) return;
    const support = this.hooks.support();
    const diagnostics = buildDiagnostics(document, annotations, { settings: this.hooks.settings(), relatedInformation: support.relatedInformation });
    void this.connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    if (status) {
      const params: DocumentStatus = { uri, version: document.version, complete: status.complete, ...(status.progress ? { progress: status.progress } : {}) };
      void this.connection.sendNotification(DOCUMENT_STATUS_NOTIFICATION, params).catch(() => undefined);
    }
    if (support.semanticTokensRefresh) void this.connection.languages.semanticTokens.refresh().catch(() => undefined);
    if (support.codeLensRefresh) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    this.sendStatusSoon();
  }

  /** A closed document's diagnostics are withdrawn. */
  clear(uri: string): void {
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  sendStatusSoon(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      void this.connection.sendNotification(STATUS_NOTIFICATION, this.hooks.stats()).catch(() => undefined);
    }, STATUS_INTERVAL_MS);
  }
}
