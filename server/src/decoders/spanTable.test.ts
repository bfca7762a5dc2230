import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { specFixture } from '../testing/fixtures';
import { decoderFor } from './index';
import { decodeSpanTable, decodeTables, spanTableDecoder, tableView } from './spanTable';
import { ModelPackageError } from './manifest';

const fx = specFixture('span-table-decoder.json');

/** Build [1,N,N,K] float tables from sparse cells (the fixture's main case unless given). */
function tables(entCells: number[][] = fx.ent_cells, relCells: number[][] = fx.rel_cells) {
  const n = fx.n_words;
  const E = fx.entity_types.length;
  const R = fx.relation_types.length;
  const ent = new Float32Array(n * n * E);
  const rel = new Float32Array(n * n * R);
  for (const [i, j, k, p] of entCells) ent[(i * n + j) * E + k] = p;
  for (const [i, m, l, p] of relCells) rel[(i * n + m) * R + l] = p;
  return { ent, rel, n, E, R };
}

function decode(policy: 'all' | 'best', entCells?: number[][], relCells?: number[][]) {
  const { ent, rel, n, E, R } = tables(entCells, relCells);
  return decodeTables(tableView(ent, [1, n, n, E], 0), tableView(rel, [1, n, n, R], 0), n, {
    entityTypes: fx.entity_types,
    relationTypes: fx.relation_types,
    symmetricRelations: fx.symmetric_relations,
    entityThreshold: fx.thresholds.entity,
    relationThreshold: fx.thresholds.relation,
    pairPolicy: policy,
  });
}

const f32 = (x: number) => Math.fround(x);

for (const policy of ['all', 'best'] as const) {
  test(`span-table decoder reproduces the fixture (pair_policy ${policy})`, () => {
    const out = decode(policy);
    assert.deepEqual(out.entities.map((e) => [e.start, e.end, e.type, e.score]), fx.expected.entities.map((e: any[]) => [e[0], e[1], e[2], f32(e[3])]));
    assert.deepEqual(out.relations.map((r) => [r.head, r.tail, r.type, r.score]), fx.expected[policy].map((r: any[]) => [r[0], r[1], r[2], f32(r[3])]));
  });
}

for (const policy of ['all', 'best'] as const) {
  test(`span-table decoder keeps one of overlapping spans of a type, other types may nest (pair_policy ${policy})`, () => {
    const c = fx.same_type_overlap;
    const out = decode(policy, c.ent_cells, c.rel_cells);
    assert.deepEqual(out.entities.map((e) => [e.start, e.end, e.type, e.score]), c.entities.map((e: any[]) => [e[0], e[1], e[2], f32(e[3])]));
    assert.deepEqual(out.relations.map((r) => [r.head, r.tail, r.type, r.score]), c[policy].map((r: any[]) => [r[0], r[1], r[2], f32(r[3])]));
  });
}

for (const policy of ['all', 'best'] as const) {
  test(`span-table decoder keeps one type of a span found with several (pair_policy ${policy})`, () => {
    const c = fx.same_span_types;
    const out = decode(policy, c.ent_cells, c.rel_cells);
    assert.deepEqual(out.entities.map((e) => [e.start, e.end, e.type, e.score]), c.entities.map((e: any[]) => [e[0], e[1], e[2], f32(e[3])]));
    assert.deepEqual(out.relations.map((r) => [r.head, r.tail, r.type, r.score]), c[policy].map((r: any[]) => [r[0], r[1], r[2], f32(r[3])]));
  });
}

test('span-table decoder: per entity type thresholds (thresholds.entity_by_type) reproduce the fixture', () => {
  const { ent, rel, n, E, R } = tables();
  const c = fx.by_type;
  const out = decodeTables(tableView(ent, [1, n, n, E], 0), tableView(rel, [1, n, n, R], 0), n, {
    entityTypes: fx.entity_types,
    relationTypes: fx.relation_types,
    symmetricRelations: fx.symmetric_relations,
    entityThreshold: c.thresholds.entity,
    entityThresholdByType: c.thresholds.entity_by_type,
    relationThreshold: c.thresholds.relation,
    pairPolicy: c.pair_policy,
  });
  assert.deepEqual(out.entities.map((e) => [e.start, e.end, e.type, e.score]), c.entities.map((e: any[]) => [e[0], e[1], e[2], f32(e[3])]));
  assert.deepEqual(out.relations.map((r) => [r.head, r.tail, r.type, r.score]), c.relations.map((r: any[]) => [r[0], r[1], r[2], f32(r[3])]));
});

test('span-table packages: a bad thresholds.entity_by_type is a package error naming the problem', () => {
  const meta: any = {
    id: 'fx', decoder: 'span-table', entity_types: fx.entity_types, relation_types: fx.relation_types,
    symmetric_relations: [], thresholds: { entity: 0.5, relation: 0.5 }, pair_policy: 'all', outputs: ['entity_probs', 'relation_probs'],
  };
  const bad = (byType: unknown) => ({ ...meta, thresholds: { ...meta.thresholds, entity_by_type: byType } });
  assert.doesNotThrow(() => decoderFor(bad({ Drug: 0.8 })));
  assert.throws(() => decoderFor(bad({ Dose: 0.8 })), /entity_by_type names 'Dose', which is not one of entity_types/);
  assert.throws(() => decoderFor(bad({ Drug: 'high' })), /entity_by_type.Drug is not a number/);
  assert.throws(() => decoderFor(bad([0.8])), /entity_by_type is not an object/);
});

test('decoder registry: span-table through ORT tensors at a batch row > 0, unknown decoder is a package error', () => {
  const { ent, rel, n, E, R } = tables();
  // batch of 2: row 0 all zeros, row 1 = fixture
  const ent2 = new Float32Array(2 * ent.length);
  ent2.set(ent, ent.length);
  const rel2 = new Float32Array(2 * rel.length);
  rel2.set(rel, rel.length);
  const meta: any = {
    id: 'fx', decoder: 'span-table', entity_types: fx.entity_types, relation_types: fx.relation_types,
    symmetric_relations: fx.symmetric_relations, thresholds: fx.thresholds, pair_policy: 'best', outputs: ['entity_probs', 'relation_probs'],
  };
  const outputs = { entity_probs: new ort.Tensor('float32', ent2, [2, n, n, E]), relation_probs: new ort.Tensor('float32', rel2, [2, n, n, R]) };
  assert.equal(decoderFor(meta), spanTableDecoder);
  assert.deepEqual(decodeSpanTable(outputs, 0, n, meta), { entities: [], relations: [] });
  assert.deepEqual(decodeSpanTable(outputs, 1, n, meta).relations.map((r) => [r.head, r.tail, r.type]), fx.expected.best.map((r: any[]) => r.slice(0, 3)));
  assert.throws(() => decoderFor({ ...meta, decoder: 'bilou-table' }), (err: unknown) => err instanceof ModelPackageError && /unknown decoder 'bilou-table'/.test((err as Error).message));
});

test('an uncalibrated table cannot make the decoder exhaust memory', () => {
  const n = 40;
  const all = new Float32Array(n * n * 2).fill(0.9);
  const view = tableView(all, [1, n, n, 2], 0);
  const out = decodeTables(view, view, n, {
    entityTypes: ['A', 'B'], relationTypes: ['r', 's'], symmetricRelations: [], entityThreshold: 0.5, relationThreshold: 0.5, pairPolicy: 'all', maxRelations: 1000,
  });
  // every span of both types is over the threshold, all tied: the earliest spans win — A's one-word spans; B's
  // one-word spans are taken by A (one type per span), so B tiles two-word spans — and the rest goes
  // (n + n/2, not n(n+1))
  assert.equal(out.entities.length, n + n / 2);
  assert.ok(out.entities.filter((e) => e.type === 'A').every((e) => e.end === e.start + 1));
  assert.ok(out.entities.filter((e) => e.type === 'B').every((e) => e.end === e.start + 2 && e.start % 2 === 0));
  assert.equal(out.relations.length, 1000);
});
