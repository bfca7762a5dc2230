/**
 * The `erlens` settings from the client: read once the client is initialized (which loads the models),
 * and again on each workspace/didChangeConfiguration. A model setting reloads the models; any other
 * (severity, caps, lens, assertions) republishes what is kept.
 */
import { DidChangeConfigurationNotification } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import type { ServerSession } from './session';
import { modelSettingsChanged, normalizeSettings } from './settings';
import type { ErlensSettings } from './settings';

/** The client's current `erlens` section, or undefined when it cannot be asked. */
async function fetchSettings(connection: Connection, session: ServerSession): Promise<ErlensSettings | undefined> {
  if (!session.support.configuration) return undefined;
  try {
    const [raw] = await connection.workspace.getConfiguration([{ section: 'erlens' }]);
    return normalizeSettings(raw);
  } catch (error) {
    session.logger.warn(`could not read erlens settings: ${String(error)}`);
    return undefined;
  }
}

function applySettings(session: ServerSession, next: ErlensSettings): void {
  const reload = modelSettingsChanged(session.settings, next);
  const indexSwitched = next.workspaceIndexEnabled !== session.settings.workspaceIndexEnabled;
  session.useSettings(next);
  if (reload) session.reloadModels();
  else session.republishAll();
  // A model reload indexes again by itself.
  if (indexSwitched && !reload) void (next.workspaceIndexEnabled ? session.index.reindex() : session.index.stop());
}

/** Once the client is initialized (server.ts): the settings are read and the models load. */
export async function readSettingsAndLoad(connection: Connection, session: ServerSession): Promise<void> {
  const registered = session.support.dynamicConfiguration
    ? connection.client.register(DidChangeConfigurationNotification.type, { section: 'erlens' }).then(() => true, () => false)
    : Promise.resolve(false);
  session.useSettings((await fetchSettings(connection, session)) ?? session.settings);
  const { settings } = session;
  session.logger.info(
    `ERlens server ${process.pid} ready; models ${settings.models.join(', ')}${settings.modelPaths.length > 0 ? ` (model paths ${settings.modelPaths.join(', ')})` : ''}; provider ${settings.executionProvider}`,
  );
  session.reloadModels();
  // A change the editor makes between that read and the registration taking effect is never notified
  // (code-server, for one, completes its settings just after the extension starts: the e2e run once
  // loaded the models without erlens.modelPaths): read once more when the registration is in place.
  if (!(await registered)) return;
  const again = await fetchSettings(connection, session);
  if (again && JSON.stringify(again) !== JSON.stringify(session.settings)) {
    session.logger.info('the erlens settings changed while the server started; applying them');
    applySettings(session, again);
  }
}

export function registerConfiguration(connection: Connection, session: ServerSession): void {

  // Changes are applied one after another: two quick notifications must not both see the old
  // settings and load the models twice.
  let settingsQueue = Promise.resolve();
  connection.onDidChangeConfiguration((change) => {
    settingsQueue = settingsQueue.then(async () => {
      const next = session.support.configuration
        ? await fetchSettings(connection, session)
        : normalizeSettings((change.settings as { erlens?: unknown } | undefined)?.erlens ?? change.settings);
      if (next) applySettings(session, next);
    });
  });
}
