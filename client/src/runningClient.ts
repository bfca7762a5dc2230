/** The language client when it is running; otherwise undefined, after telling the user (commands that need the server). */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export function runningClient(getClient: () => LanguageClient | undefined): LanguageClient | undefined {
  const client = getClient();
  if (client?.isRunning()) return client;
  void vscode.window.showWarningMessage('ERlens: the language server is not running.');
  return undefined;
}
