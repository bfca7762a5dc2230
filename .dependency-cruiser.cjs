/**
 * The architecture, as rules dependency-cruiser checks (test/architecture.test.mjs, run by npm test;
 * `npx depcruise server/src client/src` prints the same verdict).
 *
 * Data flows document -> segments -> cache/schedule -> model runtime -> decoder -> annotations ->
 * features; imports point down the floors below, never up, and never in a cycle. A floor may import
 * from any floor beneath it and, without a cycle, from its own. Unit tests (*.test.ts) may reach
 * anything they test, so they are only checked for cycles.
 */
const FLOORS = [
  // Ground floor: the text readers and the decoders, with the types they produce
  // (text/types.ts: sentences and words; decoders/types.ts: word-level results; decoders/manifest.ts:
  // the part of model.json decoders read), where the installation is (paths.ts), and which files of a
  // folder are prose (workspace/proseFiles.ts).
  ['paths', 'arrays', 'text', 'decoders', 'workspace'],
  // Document-level annotation types, built on the sentence types.
  ['annotations'],
  // Model runtime (packages, ORT sessions, featurizer, runner), the domain router, ConText assertions.
  ['model', 'routing', 'assertion'],
  // The pipeline: sentence cache, incremental document analysis, merge, the Annotator.
  ['pipeline'],
  // What reads annotations outside the editor (export formats, evaluation, the workspace index, JSONL
  // streams) and the user's corrections of them.
  ['export', 'eval', 'corrections', 'workspaceIndex', 'stream'],
  // The language server (features, scheduler, worker) and tools and test helpers.
  ['lsp', 'tools', 'testing'],
  // The command line (it also drives the server over stdio for `bench --lsp`).
  ['cli'],
  // The VS Code client, which shares the server's protocol constants (server/src/lsp/protocol.ts).
  ['client'],
];

/** A path pattern for a set of top-level modules (folders, or single files such as paths.ts and arrays.ts). */
function modules(names) {
  const server = names.filter((n) => n !== 'client');
  const parts = [];
  if (server.length) parts.push(`server/src/(?:${server.join('|')})(?:/|\\.ts$)`);
  if (names.includes('client')) parts.push('client/src/');
  return `^(?:${parts.join('|')})`;
}

const upward = FLOORS.slice(0, -1).map((floor, i) => ({
  name: `no-upward-from-${floor.join('-')}`,
  comment: `${floor.join(', ')} may not import from a higher floor (${FLOORS.slice(i + 1).flat().join(', ')})`,
  severity: 'error',
  from: { path: modules(floor), pathNot: '\\.test\\.ts$' },
  to: { path: modules(FLOORS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: neither can change, load or be tested alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unknown-floor',
      comment: 'Every top-level module of server/src has a floor in FLOORS (add a new folder there).',
      severity: 'error',
      from: { path: '^server/src/', pathNot: modules(FLOORS.flat()) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|out|dist)/' },
    // Type-only imports count: a type is as much a dependency as a value.
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
  },
};
