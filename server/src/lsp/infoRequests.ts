/** ERlens' own messages about the server: erlens/stats (counters), erlens/listModels (installed packages), erlens/workspaceTrusted. */
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { catalogueFor } from './modelHost';
import { LIST_MODELS_REQUEST, STATS_REQUEST, WORKSPACE_TRUSTED_NOTIFICATION } from './protocol';
import type { PackageSummary } from './protocol';
import type { ServerSession } from './session';

export function registerInfoRequests(connection: Connection, session: ServerSession): void {
  connection.onRequest(STATS_REQUEST, () => session.stats());

  connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
    if (session.workspaceTrusted) return;
    session.workspaceTrusted = true;
    session.loadWorkspaceCorrections();
    session.republishAll();
  });

  connection.onRequest(LIST_MODELS_REQUEST, (): PackageSummary[] => {
    const { settings } = session;
    // erlens.models may name a package by id, by folder or by folder name.
    const active = new Set(settings.models);
    return catalogueFor(settings, session.extraRoots).list().map((p) => ({
      id: p.id,
      dir: p.dir,
      architecture: p.architecture,
      dataset: p.dataset,
      entityTypes: p.entityTypes,
      relationTypes: p.relationTypes,
      active: active.has(p.id) || active.has(p.dir) || active.has(path.basename(p.dir)),
    }));
  });
}
