/**
 * ERlens VS Code client: starts the language server (which owns models, inference and every feature),
 * and adds the editor-side pieces only VS Code can do — commands, the language status item, the
 * export prompt. Kept thin on purpose: a crash in native inference code takes down the server process,
 * which the client restarts, never the extension host.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { registerRelationsView } from './relationsView';
import { createLanguageClient, DOCUMENT_SELECTOR } from './languageClient';
import { ErlensStatusItem } from './statusItem';
import { trackVisibleRanges } from './visibleRanges';
import { STATUS_NOTIFICATION, WORKSPACE_TRUSTED_NOTIFICATION } from './protocol';
import type { ServerStats } from './protocol';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('ERlens', { log: true });
  context.subscriptions.push(output);
  const status = new ErlensStatusItem();
  context.subscriptions.push(status);

  client = createLanguageClient(context, output);
  context.subscriptions.push(registerCommands(context, () => client, output));
  context.subscriptions.push(registerRelationsView(() => client));
  context.subscriptions.push(client.onNotification(STATUS_NOTIFICATION, (stats: ServerStats) => status.update(stats)));
  context.subscriptions.push(trackVisibleRanges(() => client, new Set(DOCUMENT_SELECTOR.map((s) => s.language))));
  // From now on corrections are kept in the workspace (those made before stay in memory only).
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION)));
  try {
    await client.start();
    output.info(`ERlens language server started (${client.initializeResult?.serverInfo?.name ?? 'erlens'})`);
  } catch (error) {
    output.error(`ERlens language server failed to start: ${String(error)}`);
    status.failed(String(error));
    void vscode.window.showErrorMessage('ERlens: the language server could not start. See "ERlens: Show Output".');
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
