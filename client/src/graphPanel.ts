/**
 * ERlens: Show Relation Graph: a webview beside the editor drawing the current document's entities and
 * relations (the server's erlens/relationGraph; Cytoscape.js in dist/graph.js, bundled, nothing from a
 * CDN); ERlens: Show Workspace Relation Graph draws the workspace index's relations the same way. The
 * page's Content-Security-Policy allows only the extension's own script and stylesheet. The graph follows
 * the text: it is redrawn when diagnostics change (the document's, or any for the workspace). Clicking a
 * node reveals its next mention in the editor (in its file, for the workspace).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RELATION_GRAPH_REQUEST } from './protocol';
import { runningClient } from './runningClient';
import type { GraphData, GraphRange } from './protocol';

/** Redraw at most this often while an analysis publishes in waves. */
const REFRESH_MS = 400;

function html(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'graph.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'graph.css'));
  const csp = `default-src 'none'; script-src ${webview.cspSource}; style-src ${webview.cspSource}; img-src ${webview.cspSource} data:; font-src ${webview.cspSource}`;
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style}"><title>${escaped}</title></head>
<body><div id="side"><div id="filters"></div><div id="status"></div></div><div id="graph" role="img" aria-label="${escaped}"></div>
<script src="${script}"></script></body></html>`;
}

export type GraphScope = 'document' | 'workspace';

export function showRelationGraph(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined, scope: GraphScope = 'document'): void {
  const client = runningClient(getClient);
  if (!client) return;
  const editor = vscode.window.activeTextEditor;
  if (scope === 'document' && !editor) {
    void vscode.window.showWarningMessage('ERlens: open a Markdown or text document first.');
    return;
  }
  const document = scope === 'document' ? editor!.document : undefined;
  const uri = document?.uri.toString();
  const title = document ? `Relations: ${document.uri.path.split('/').pop() || 'document'}` : 'Relations: workspace';
  const panel = vscode.window.createWebviewPanel('erlens.relationGraph', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  });
  panel.webview.html = html(panel.webview, context.extensionUri, title);

  let timer: NodeJS.Timeout | undefined;
  const send = async () => {
    const graph = await client.sendRequest<GraphData | null>(RELATION_GRAPH_REQUEST, uri ? { uri } : { scope: 'workspace' });
    if (graph) void panel.webview.postMessage({ type: 'graph', graph });
  };
  const soon = () => {
    if (!timer) timer = setTimeout(() => ((timer = undefined), void send()), REFRESH_MS);
  };
  const subscriptions = [
    panel.webview.onDidReceiveMessage(async (message: { type: string; uri?: string; range?: GraphRange }) => {
      if (message.type === 'ready') await send();
      if (message.type === 'reveal' && message.uri && message.range) {
        const { start, end } = message.range;
        const range = new vscode.Range(start.line, start.character, end.line, end.character);
        const shown = await vscode.window.showTextDocument(vscode.Uri.parse(message.uri), { viewColumn: editor?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
        shown.selection = new vscode.Selection(range.start, range.end);
        shown.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
    }),
    vscode.languages.onDidChangeDiagnostics((e) => {
      if (!uri || e.uris.some((u) => u.toString() === uri)) soon();
    }),
  ];
  panel.onDidDispose(() => {
    if (timer) clearTimeout(timer);
    subscriptions.forEach((s) => s.dispose());
  });
}
