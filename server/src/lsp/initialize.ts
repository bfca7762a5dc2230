/**
 * The initialize handshake: what the client supports, its initialization options (settings, the
 * extension's models folder), the workspace folders, and the capabilities the server offers.
 */
import { fileURLToPath } from 'node:url';
import { CodeActionKind, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { Connection, InitializeParams, InitializeResult, ServerCapabilities } from 'vscode-languageserver/node';
import { clientSupportFrom } from './clientSupport';
import { CORRECT_COMMAND, EXPORT_COMMAND } from './protocol';
import type { ServerSession } from './session';
import { normalizeSettings } from './settings';
import { LEGEND } from './tokenLegend';

export const SERVER_CAPABILITIES: ServerCapabilities = {
  // Incremental sync: the kept annotations follow each change's range (documentSync.ts).
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
  semanticTokensProvider: { legend: LEGEND, full: { delta: true }, range: true },
  hoverProvider: true,
  codeLensProvider: { resolveProvider: false },
  executeCommandProvider: { commands: [EXPORT_COMMAND, CORRECT_COMMAND] },
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
};

/** What the client may pass in initializationOptions (the VS Code client and the CLI's LSP driver do). */
interface InitializationOptions {
  settings?: unknown;
  modelsDir?: string;
  /** VS Code's workspace trust; absent (other editors): trusted. */
  workspaceTrusted?: boolean;
}

export function registerInitialize(connection: Connection, session: ServerSession): void {
  connection.onInitialize((params: InitializeParams): InitializeResult => {
    session.support = clientSupportFrom(params.capabilities);
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof init.modelsDir === 'string') session.extraRoots = [init.modelsDir];
    // Settings from the options until workspace/configuration can be asked (after initialized).
    session.useSettings(normalizeSettings(init.settings ?? {}));
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    session.workspaceFolders = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    session.workspaceTrusted = init.workspaceTrusted !== false;
    session.loadWorkspaceCorrections();
    return { capabilities: SERVER_CAPABILITIES, serverInfo: { name: 'erlens', version: '0.1.0' } };
  });
}
