// Bundles the VS Code extension with esbuild: dist/extension.js (client, `vscode` external),
// dist/server.js (language server) and dist/analysisWorker.js (the worker thread the server starts
// beside itself for segmentation and inference: server/src/lsp/analysisHost.ts). onnxruntime-node stays external because its native
// binding cannot be inlined; the VSIX ships it (linux-x64 only) through the .vscodeignore allowlist.
// Usage: node scripts/bundle-extension.mjs [--production]
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', external: ['onnxruntime-node'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/analysisWorker.ts'], outfile: 'dist/analysisWorker.js', external: ['onnxruntime-node'] }),
  // The relation graph webview's script (Cytoscape.js inside): a browser bundle, loaded by graphPanel.ts.
  esbuild.build({ ...common, format: 'iife', platform: 'browser', target: 'es2022', entryPoints: ['client/webview/graphView.ts'], outfile: 'dist/graph.js' }),
]);
// SQLite as WebAssembly for the workspace index (server/src/workspaceIndex/tripleIndex.ts reads it beside the bundle).
fs.copyFileSync(createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm'), path.join(root, 'dist', 'sql-wasm.wasm'));
console.log(`bundled dist/extension.js, dist/server.js, dist/analysisWorker.js, dist/graph.js and dist/sql-wasm.wasm${production ? ' (production)' : ''}`);
