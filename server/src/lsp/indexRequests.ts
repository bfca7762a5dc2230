/**
 * The workspace index over LSP: queries (`erlens/indexQuery`, `erlens/indexEntities`), indexing on
 * request (`erlens/reindex`), and the disk changes that keep it current: the server registers a watcher
 * for prose files where the client lets it (workspace/didChangeWatchedFiles), and a closed document's
 * saved text counts again. workspaceIndexing.ts does the work.
 */
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import { PROSE_EXTENSIONS } from '../workspace/proseFiles';
import { INDEX_ENTITIES_REQUEST, INDEX_QUERY_REQUEST, REINDEX_REQUEST } from './protocol';
import type { IndexAnswer, IndexedEntityText, IndexQuery, IndexRunSummary } from './protocol';
import type { ServerSession } from './session';

/** Once the client is initialized (server.ts): it watches the prose files for the index, where it lets the server ask. */
export function watchProseFiles(connection: Connection, session: ServerSession): void {
  if (!session.support.watchedFiles) return;
  const extensions = [...PROSE_EXTENSIONS.keys()].map((e) => e.slice(1)).join(',');
  void connection.client
    .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/*.{${extensions}}` }] })
    .catch((error) => session.logger.warn(`could not watch files for the workspace index: ${String(error)}`));
}

export function registerIndexRequests(connection: Connection, session: ServerSession): void {
  const { index, logger } = session;

  connection.onRequest(INDEX_QUERY_REQUEST, (q: IndexQuery): Promise<IndexAnswer> => {
    if (!q || typeof q.text !== 'string') throw new Error('erlens/indexQuery needs { text }');
    return index.query({
      text: q.text,
      relation: typeof q.relation === 'string' ? q.relation : undefined,
      role: q.role === 'head' || q.role === 'tail' ? q.role : undefined,
      limit: typeof q.limit === 'number' ? q.limit : undefined,
    });
  });

  connection.onRequest(INDEX_ENTITIES_REQUEST, (p: { prefix?: unknown; limit?: unknown }): Promise<IndexedEntityText[]> =>
    index.entityTexts(typeof p?.prefix === 'string' ? p.prefix : '', typeof p?.limit === 'number' ? p.limit : undefined),
  );

  connection.onRequest(REINDEX_REQUEST, (): Promise<IndexRunSummary[]> => index.reindex());

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) {
      void index.fileChanged(change.uri, change.type === FileChangeType.Deleted).catch((error) => logger.warn(`workspace index: ${change.uri}: ${(error as Error).message}`));
    }
  });

  connection.onShutdown(() => index.stop());
}
