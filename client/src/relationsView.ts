/**
 * "Relations of …": the workspace index asked about one entity (the server's erlens/indexQuery over
 * FOLDER/.erlens/index.sqlite), shown as a tree in the Explorer: the entity, then its relations grouped
 * by type and the entity's role (e.g. "Adverse-Effect, as head"), each relation as its other argument with
 * the file and line; selecting one opens the file with the relation's span selected. `ERlens: Relations
 * Of…` asks for the entity: the editor's selection when there is one, else a pick among the indexed
 * entity texts (erlens/indexEntities), or any typed text.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { runningClient } from './runningClient';
import { COMMANDS, INDEX_ENTITIES_REQUEST, INDEX_QUERY_REQUEST, REINDEX_REQUEST } from './protocol';
import type { IndexAnswer, IndexedArgument, IndexedEntityText, IndexedRelation, IndexRunSummary } from './protocol';

export const RELATIONS_VIEW = 'erlens.relations';

type Node =
  | { kind: 'entity'; answer: IndexAnswer }
  | { kind: 'group'; label: string; relations: IndexedRelation[] }
  | { kind: 'relation'; relation: IndexedRelation };

const fileName = (uri: string): string => decodeURIComponent(uri.split('/').pop() ?? uri);

/** The relations grouped by type and the entity's role in them, largest group first. */
function groups(answer: IndexAnswer): Node[] {
  const byKey = new Map<string, IndexedRelation[]>();
  for (const r of answer.relations) {
    const key = `${r.type}, as ${r.role}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  return [...byKey.entries()].sort((a, b) => b[1].length - a[1].length).map(([label, relations]) => ({ kind: 'group', label, relations }));
}

/** An argument's place as the LSP range erlens.revealRange takes. */
const lspRangeOf = (a: IndexedArgument) => ({ start: { line: a.line, character: a.character }, end: { line: a.endLine, character: a.endCharacter } });

class RelationsTree implements vscode.TreeDataProvider<Node> {
  private answer?: IndexAnswer;
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  show(answer: IndexAnswer): void {
    this.answer = answer;
    this.changed.fire(undefined);
  }

  get current(): IndexAnswer | undefined {
    return this.answer;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.answer ? [{ kind: 'entity', answer: this.answer }] : [];
    if (node.kind === 'entity') return groups(node.answer);
    if (node.kind === 'group') return node.relations.map((relation) => ({ kind: 'relation', relation }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'entity') {
      const { answer } = node;
      const files = new Set(answer.relations.map((r) => r.uri)).size;
      const item = new vscode.TreeItem(answer.query.text, vscode.TreeItemCollapsibleState.Expanded);
      const shown = answer.total > answer.relations.length ? ` (first ${answer.relations.length})` : '';
      item.description = `${answer.total} relation${answer.total === 1 ? '' : 's'}${shown} in ${files} file${files === 1 ? '' : 's'}${answer.indexing ? ' · indexing…' : ''}`;
      item.tooltip = `${answer.documents} documents indexed`;
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      return item;
    }
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.relations.length);
      item.iconPath = new vscode.ThemeIcon('references');
      return item;
    }
    const r = node.relation;
    const other = r.role === 'head' ? r.tail : r.head;
    const item = new vscode.TreeItem(other.text, vscode.TreeItemCollapsibleState.None);
    item.description = `${fileName(r.uri)}:${other.line + 1}${r.assertion && r.assertion !== 'present' ? ` · ${r.assertion}` : ''}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${r.head.text} → ${r.type} → ${r.tail.text}\n\n${r.sentence}\n\n${r.model}, score ${r.score.toFixed(2)}`);
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon('arrow-right');
    item.resourceUri = vscode.Uri.parse(r.uri);
    item.command = {
      command: COMMANDS.revealRange,
      title: 'Reveal',
      // The other argument selected: what the line names.
      arguments: [r.uri, lspRangeOf(other)],
    };
    return item;
  }
}

/** The text to ask about: the selection, else a pick among the indexed entities (or what the user types). */
async function askForEntity(client: LanguageClient): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
  if (selected && selected.length <= 200) return selected;
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = 'ERlens: Relations of …';
  pick.placeholder = 'An entity of the workspace (type to search)';
  const load = async (prefix: string) => {
    pick.busy = true;
    try {
      const entities = await client.sendRequest<IndexedEntityText[]>(INDEX_ENTITIES_REQUEST, { prefix, limit: 100 });
      const typed = prefix.trim();
      const items: vscode.QuickPickItem[] = entities.map((e) => ({ label: e.text, description: e.type, detail: `${e.mentions} mention${e.mentions === 1 ? '' : 's'}` }));
      if (typed && !entities.some((e) => e.text.toLowerCase() === typed.toLowerCase())) items.unshift({ label: typed, description: 'search for this text' });
      pick.items = items;
    } finally {
      pick.busy = false;
    }
  };
  return new Promise<string | undefined>((resolve) => {
    pick.onDidChangeValue((value) => void load(value));
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined));
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
    void load('');
  });
}

export function registerRelationsView(getClient: () => LanguageClient | undefined): vscode.Disposable {
  const tree = new RelationsTree();
  const view = vscode.window.createTreeView(RELATIONS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const relationsOf = async (text?: string) => {
    const client = runningClient(getClient);
    if (!client) return;
    const entity = typeof text === 'string' && text.trim() ? text.trim() : await askForEntity(client);
    if (!entity) return;
    const answer = await client.sendRequest<IndexAnswer>(INDEX_QUERY_REQUEST, { text: entity });
    tree.show(answer);
    view.message = answer.total === 0 ? `No relation of "${entity}" in the ${answer.documents} indexed documents${answer.indexing ? ' yet (indexing)' : ''}.` : undefined;
    await vscode.commands.executeCommand(`${RELATIONS_VIEW}.focus`);
  };
  const reindex = async () => {
    const client = runningClient(getClient);
    if (!client) return;
    const summaries = await client.sendRequest<IndexRunSummary[]>(REINDEX_REQUEST);
    const sum = (k: 'files' | 'indexed' | 'relations') => summaries.reduce((n, s) => n + s[k], 0);
    const skipped = summaries.reduce((n, s) => n + s.skipped.length, 0);
    void vscode.window.showInformationMessage(
      summaries.length === 0
        ? 'ERlens: the workspace index is off (erlens.workspaceIndex.enabled) or there is no workspace folder.'
        : `ERlens: indexed ${sum('files')} files (${sum('indexed')} annotated again, ${skipped} skipped): ${sum('relations')} new relations.`,
    );
    if (tree.current) await relationsOf(tree.current.query.text);
  };
  return vscode.Disposable.from(
    view,
    vscode.commands.registerCommand(COMMANDS.relationsOf, relationsOf),
    vscode.commands.registerCommand(COMMANDS.reindexWorkspace, reindex),
  );
}
