/**
 * Document sync and the scheduler's inputs: open, change and close, and the client's visible range.
 * By hand (not TextDocuments) because the shift of kept annotations needs each change's range in the
 * old text, which TextDocuments does not pass on.
 */
import type { Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CHURN_BEFORE_COMPACTION, openingChurn } from './compaction';
import { VISIBLE_RANGE_NOTIFICATION } from './protocol';
import type { ServerSession } from './session';

interface VisibleRangeParams {
  uri?: unknown;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export function registerDocumentSync(connection: Connection, session: ServerSession): void {
  const { documents, scheduler, logger } = session;

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    documents.set(t.uri, TextDocument.create(t.uri, t.languageId, t.version, t.text));
    logger.debug(`opened ${t.uri} (${t.languageId}, ${t.text.length} characters)`);
    logger.documentText(`text of ${t.uri}`, t.text);
    scheduler.open(t.uri);
    session.compactor.activity(openingChurn(t.text.length));
  });

  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const document = documents.get(t.uri);
    if (!document) return;
    for (const change of contentChanges) {
      const start = 'range' in change ? document.offsetAt(change.range.start) : 0;
      const end = 'range' in change ? document.offsetAt(change.range.end) : document.getText().length;
      TextDocument.update(document, [change], t.version);
      scheduler.edit(t.uri, { start, end, insertedLength: change.text.length }, t.version);
    }
    scheduler.changed(t.uri);
    session.compactor.activity(contentChanges.length);
  });

  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    documents.delete(t.uri);
    session.tokens.forget(t.uri);
    scheduler.close(t.uri);
    session.compactor.activity(CHURN_BEFORE_COMPACTION);
    session.publisher.clear(t.uri);
    session.publisher.sendStatusSoon();
    // The index held the editor's text (maybe unsaved); what counts now is the file on disk.
    void session.index.fileChanged(t.uri, false).catch((error) => logger.warn(`workspace index: ${t.uri}: ${(error as Error).message}`));
  });

  // The editor may say what is on screen; the analysis of a cold document starts there.
  connection.onNotification(VISIBLE_RANGE_NOTIFICATION, (params: VisibleRangeParams) => {
    const document = typeof params?.uri === 'string' ? documents.get(params.uri) : undefined;
    if (!document || !params.range?.start || !params.range.end) return;
    scheduler.noteVisibleRange(document.uri, document.offsetAt(params.range.start), document.offsetAt(params.range.end));
  });
}
