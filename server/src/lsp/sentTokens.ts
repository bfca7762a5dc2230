/**
 * The last semantic tokens sent per document, with their result id, so a delta request
 * (textDocument/semanticTokens/full/delta) gets only what changed since.
 */
import type { SemanticTokens } from 'vscode-languageserver/node';

export class SentTokens {
  private readonly sent = new Map<string, { id: string; data: number[] }>();
  private results = 0;

  /** Records `data` as the latest result for `uri`, under a new result id. */
  record(uri: string, data: number[]): SemanticTokens {
    const id = String(++this.results);
    this.sent.set(uri, { id, data });
    return { resultId: id, data };
  }

  last(uri: string): { id: string; data: number[] } | undefined {
    return this.sent.get(uri);
  }

  forget(uri: string): void {
    this.sent.delete(uri);
  }
}
