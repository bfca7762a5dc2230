/**
 * The questions "ERlens: Export Triples" asks when run from the palette, and the message it ends with.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXPORT_FORMATS, FILE_EXTENSIONS, FOLDER_FORMATS } from './protocol';
import type { ExportArguments, ExportFormat, ExportResult } from './protocol';

// Keyed by format: a format added to EXPORT_FORMATS without a description here does not compile.
const DESCRIPTIONS: Record<ExportFormat, string> = {
  json: 'one document per entry: entities, relations, UTF-16 and code-point offsets',
  jsonl: 'one triple per line',
  csv: 'subject, predicate, object, types, offsets, confidence',
  ntriples: 'RDF N-Triples for knowledge graphs',
  brat: 'brat standoff .ann next to a .txt copy, with the annotation.conf brat needs',
  labelstudio: 'Label Studio tasks with predictions, and the labelling config',
  prodigy: 'Prodigy tasks, one sentence a line: tokens, spans, relations',
  inception: 'INCEpTION documents (UIMA CAS JSON), one per file',
};
const FORMATS = EXPORT_FORMATS.map((label) => ({ label, description: DESCRIPTIONS[label] }));

export async function promptExportArguments(): Promise<ExportArguments[] | undefined> {
  const editor = vscode.window.activeTextEditor;
  const scopes: (vscode.QuickPickItem & { scope: ExportArguments['scope'] })[] = [];
  if (editor) scopes.push({ label: 'Current document', description: path.basename(editor.document.uri.fsPath), scope: 'document' });
  scopes.push({ label: 'All open documents', scope: 'open' });
  if (vscode.workspace.workspaceFolders?.length) scopes.push({ label: 'All Markdown and text files in the workspace', scope: 'workspace' });
  const scope = scopes.length === 1 ? scopes[0] : await vscode.window.showQuickPick(scopes, { title: 'ERlens: Export Triples', placeHolder: 'What to export' });
  if (!scope) return undefined;
  const configured = vscode.workspace.getConfiguration('erlens').get<string[]>('export.formats') ?? FORMATS.map((f) => f.label);
  const picked = await vscode.window.showQuickPick(
    FORMATS.map((f) => ({ ...f, picked: configured.includes(f.label) })),
    { title: 'ERlens: Export Triples', placeHolder: 'Formats', canPickMany: true },
  );
  if (!picked || picked.length === 0) return undefined;
  const formats = picked.map((p) => p.label);
  const target = await askWhere(scope.scope === 'document' && editor ? editor.document.uri : undefined, formats);
  if (!target) return undefined;
  return [{ scope: scope.scope, uri: editor?.document.uri.toString(), formats, ...target }];
}

/** The configured export folder (erlens.export.directory, relative to the first workspace folder), else `erlens-export` there. */
function configuredFolder(document: vscode.Uri | undefined): vscode.Uri | undefined {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri ?? (document?.scheme === 'file' ? vscode.Uri.file(path.dirname(document.fsPath)) : undefined);
  const setting = vscode.workspace.getConfiguration('erlens').get<string>('export.directory') ?? '';
  if (path.isAbsolute(setting)) return vscode.Uri.file(setting);
  return root && vscode.Uri.joinPath(root, setting || 'erlens-export');
}

/**
 * Where to save, in the save dialog, starting in the configured folder with the name the export would
 * get. The folder chosen takes every format's files (brat and INCEpTION write one or two per document
 * there); the name chosen names the one-file formats.
 */
async function askWhere(document: vscode.Uri | undefined, formats: readonly ExportFormat[]): Promise<Pick<ExportArguments, 'directory' | 'name'> | undefined> {
  const stem = document ? path.basename(document.fsPath).replace(/\.[^.]+$/, '') : 'erlens-triples';
  const first = formats.find((f) => !FOLDER_FORMATS.includes(f)) ?? formats[0];
  const folder = configuredFolder(document);
  // A save dialog cannot open in a folder that does not exist yet (the first export's erlens-export/).
  if (folder) await Promise.resolve(vscode.workspace.fs.createDirectory(folder)).catch(() => undefined);
  const chosen = await vscode.window.showSaveDialog({
    title: 'ERlens: Export Triples: where to save',
    saveLabel: 'Export',
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, stem + FILE_EXTENSIONS[first]) } : {}),
  });
  if (!chosen) return undefined;
  const base = path.basename(chosen.fsPath);
  const ext = FILE_EXTENSIONS[first];
  return { directory: path.dirname(chosen.fsPath), name: base.endsWith(ext) ? base.slice(0, -ext.length) : base.replace(/\.[^.]+$/, '') };
}

export async function showExportResult(result: ExportResult): Promise<void> {
  if (result.files.length === 0) {
    void vscode.window.showWarningMessage(`ERlens: nothing exported${result.skipped.length ? ` (${result.skipped.map((s) => s.reason).join('; ')})` : ''}.`);
    return;
  }
  const folder = path.dirname(result.files[0]);
  const choice = await vscode.window.showInformationMessage(
    `ERlens exported ${result.relations} relations and ${result.entities} entities from ${result.documents} document(s) to ${folder}.`,
    'Open First File',
  );
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(result.files[0]));
}
