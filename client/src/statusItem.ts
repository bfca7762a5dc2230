/**
 * Language status item for Markdown and plain text: which models run, on which execution provider,
 * and how much the sentence cache saved. Spins while documents are being annotated; clicking opens the log.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './protocol';
import type { ServerStats } from './protocol';

export class ErlensStatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('erlens.status', [{ language: 'markdown' }, { language: 'plaintext' }]);
    this.item.name = 'ERlens';
    this.item.text = '$(loading~spin) ERlens';
    this.item.detail = 'starting';
    this.item.command = { title: 'Show Output', command: COMMANDS.showOutput };
  }

  update(stats: ServerStats): void {
    const models = stats.models.length > 0 ? stats.models.join(', ') : 'no model loaded';
    this.item.busy = stats.loading || stats.busyDocuments > 0;
    this.item.text = `ERlens: ${models}`;
    this.item.detail = `${stats.executionProvider} · cache ${stats.cacheHits} hits / ${stats.cacheMisses} misses`;
    this.item.severity = stats.problems.length > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    if (stats.models.length === 0 && !stats.loading) this.item.severity = vscode.LanguageStatusSeverity.Error;
  }

  failed(reason: string): void {
    this.item.busy = false;
    this.item.text = 'ERlens: not running';
    this.item.detail = reason.slice(0, 120);
    this.item.severity = vscode.LanguageStatusSeverity.Error;
  }

  dispose(): void {
    this.item.dispose();
  }
}
