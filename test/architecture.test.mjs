// The import graph of server/src and client/src against the floors of .dependency-cruiser.cjs: no
// module imports from a higher floor, and no import cycle (dependency-cruiser reads the TypeScript
// sources, type-only imports included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs'));

const previous = process.cwd();
process.chdir(root); // dependency-cruiser names modules relative to the working directory, as the rules do
let result;
try {
  result = (await cruise(['server/src', 'client/src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } })).output;
} finally {
  process.chdir(previous);
}

const edges = new Set(result.modules.flatMap((m) => m.dependencies.map((d) => `${m.source} -> ${d.resolved}`)));

test('the cruise sees the whole graph, type-only imports included', () => {
  assert.ok(result.summary.totalCruised > 100, `only ${result.summary.totalCruised} modules cruised`);
  // A value import and a type-only import the rules depend on seeing.
  assert.ok(edges.has('server/src/pipeline/annotator.ts -> server/src/model/runner.ts'));
  assert.ok(edges.has('server/src/text/segment.ts -> server/src/text/types.ts'));
  assert.ok(edges.has('client/src/protocol.ts -> server/src/lsp/protocol.ts'));
});

test('imports point down the floors and never in a cycle', () => {
  const violations = result.summary.violations.map((v) =>
    v.cycle ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name ?? c)].join(' -> ')}` : `${v.rule.name}: ${v.from} -> ${v.to}`,
  );
  assert.deepEqual(violations, []);
});

test('the layers the design names hold', () => {
  const forbidden = (from, to) => [...edges].filter((e) => e.startsWith(`server/src/${from}/`) && !e.split(' -> ')[0].endsWith('.test.ts') && e.split(' -> ')[1].startsWith(`server/src/${to}/`));
  assert.deepEqual(forbidden('model', 'pipeline'), []);
  assert.deepEqual(forbidden('text', 'model'), []);
  assert.deepEqual(forbidden('decoders', 'model'), []);
  assert.deepEqual(forbidden('text', 'pipeline'), []);
});
