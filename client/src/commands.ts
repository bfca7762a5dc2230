/**
 * Client-side commands. `erlens.revealRange` and `erlens.pickRelation` are what the server's code lenses
 * call (with plain JSON LSP ranges as arguments); the others are palette commands.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { showRelationGraph } from './graphPanel';
import { runningClient } from './runningClient';
import { COMMANDS, LIST_MODELS_REQUEST } from './protocol';
import type { PackageSummary } from './protocol';

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function toRange(r: LspRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** Opens the document (if needed), selects the range and scrolls it into view. */
async function revealRange(uri: string, range: LspRange): Promise<void> {
  const target = toRange(range);
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preserveFocus: false });
  editor.selection = new vscode.Selection(target.start, target.end);
  editor.revealRange(target, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function pickRelation(uri: string, items: { label: string; detail?: string; range: LspRange }[]): Promise<void> {
  const picked = await vscode.window.showQuickPick(items, { title: 'ERlens: relations in this sentence', placeHolder: 'Select a relation to reveal its other argument' });
  if (picked) await revealRange(uri, picked.range);
}

async function selectModels(getClient: () => LanguageClient | undefined): Promise<void> {
  const client = runningClient(getClient);
  if (!client) return;
  const packages = await client.sendRequest<PackageSummary[]>(LIST_MODELS_REQUEST);
  if (packages.length === 0) {
    void vscode.window.showWarningMessage('ERlens: no model packages found. Add a folder to "erlens.modelPaths".');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    packages.map((p) => ({
      label: p.id,
      description: [p.architecture, p.dataset].filter(Boolean).join(' · '),
      detail: `entities: ${p.entityTypes.join(', ')} — relations: ${p.relationTypes.join(', ')}`,
      picked: p.active,
    })),
    { title: 'ERlens: Select Models', placeHolder: 'Models to run (annotations are merged in this order)', canPickMany: true },
  );
  if (!picked) return;
  const config = vscode.workspace.getConfiguration('erlens');
  // Write where the current value comes from, so a workspace override is not silently shadowed.
  const inspected = config.inspect<string[]>('models');
  const target = inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update('models', picked.map((p) => p.label), target);
}

/** The bundled sample note as an untitled Markdown document: the user's to edit, nothing written. */
async function openSampleNote(context: vscode.ExtensionContext): Promise<void> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'examples', 'clinical-note.md'));
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: new TextDecoder().decode(bytes) });
  await vscode.window.showTextDocument(document);
}

export function registerCommands(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined, output: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.revealRange, revealRange),
    vscode.commands.registerCommand(COMMANDS.pickRelation, pickRelation),
    vscode.commands.registerCommand(COMMANDS.selectModels, () => selectModels(getClient)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(COMMANDS.openSampleNote, () => openSampleNote(context)),
    vscode.commands.registerCommand(COMMANDS.showRelationGraph, () => showRelationGraph(context, getClient, 'document')),
    vscode.commands.registerCommand(COMMANDS.showWorkspaceGraph, () => showRelationGraph(context, getClient, 'workspace')),
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      await getClient()?.restart();
    }),
  );
}
