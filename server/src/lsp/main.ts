/** Entry point of the bundled language server (dist/server.js): VS Code starts it with --node-ipc. */
import { startServer } from './server';

startServer();
