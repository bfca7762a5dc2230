/**
 * Tells the server what each editor shows (erlens/visibleRange), so a large note opened or scrolled
 * is analysed from the screen outwards. Sent when an editor opens, becomes active or scrolls, at most
 * every 150 ms per document; only for documents the server reads.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { VISIBLE_RANGE_NOTIFICATION } from './protocol';

const THROTTLE_MS = 150;

export function trackVisibleRanges(client: () => LanguageClient | undefined, languages: ReadonlySet<string>): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  const send = (editor: vscode.TextEditor | undefined) => {
    if (!editor || !languages.has(editor.document.languageId)) return;
    const uri = editor.document.uri.toString();
    if (timers.has(uri)) return;
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        const range = editor.visibleRanges[0];
        const c = client();
        if (!range || !c?.isRunning()) return;
        void c.sendNotification(VISIBLE_RANGE_NOTIFICATION, { uri, range: c.code2ProtocolConverter.asRange(range) }).catch(() => undefined);
      }, THROTTLE_MS),
    );
  };
  const subscriptions = [
    vscode.window.onDidChangeTextEditorVisibleRanges((e) => send(e.textEditor)),
    vscode.window.onDidChangeActiveTextEditor((e) => send(e)),
    vscode.workspace.onDidOpenTextDocument(() => send(vscode.window.activeTextEditor)),
  ];
  send(vscode.window.activeTextEditor);
  return vscode.Disposable.from(...subscriptions, { dispose: () => timers.forEach((t) => clearTimeout(t)) });
}
