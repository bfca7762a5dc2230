/**
 * The editor features the client pulls: semantic tokens (full, delta, range), hovers and code lenses.
 * Each answers from the annotations the scheduler keeps, at once; none waits for an analysis.
 */
import type { Connection, SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { cancelled } from './cancellation';
import { buildCodeLenses } from './codeLens';
import { buildHover } from './hover';
import { buildSemanticTokens, semanticTokensEdits } from './semanticTokens';
import type { ServerSession } from './session';

export function registerFeatureRequests(connection: Connection, session: ServerSession): void {
  const { documents, scheduler } = session;

  function fullTokens(document: TextDocument): SemanticTokens {
    const { data } = buildSemanticTokens(document, scheduler.get(document.uri), undefined, session.settings.assertionsShow);
    return session.tokens.record(document.uri, data);
  }

  connection.languages.semanticTokens.on(({ textDocument }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? fullTokens(document) : { data: [] };
  });

  connection.languages.semanticTokens.onDelta(({ textDocument, previousResultId }, token): SemanticTokens | SemanticTokensDelta => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    const previous = session.tokens.last(document.uri);
    const next = fullTokens(document);
    if (!previous || previous.id !== previousResultId) return next;
    return { resultId: next.resultId, edits: semanticTokensEdits(previous.data, next.data) };
  });

  // A range request also says what the editor shows: a cold document's analysis starts there.
  connection.languages.semanticTokens.onRange(({ textDocument, range }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    if (!document) return { data: [] };
    scheduler.noteVisibleRange(document.uri, document.offsetAt(range.start), document.offsetAt(range.end));
    return buildSemanticTokens(document, scheduler.get(document.uri), range, session.settings.assertionsShow);
  });

  connection.onHover(({ textDocument, position }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildHover(document, scheduler.get(document.uri), position) : null;
  });

  connection.onCodeLens(({ textDocument }, token) => {
    if (token.isCancellationRequested) throw cancelled();
    const document = documents.get(textDocument.uri);
    return document ? buildCodeLenses(document, scheduler.get(document.uri), session.settings) : [];
  });
}
