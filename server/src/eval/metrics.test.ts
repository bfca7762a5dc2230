import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { specFixture } from '../testing/fixtures';
import { fixed2, headlineLine, score } from './metrics';
import { parseJsonl, DataError } from './jsonl';

const fx = specFixture('metrics.json');
const toSentence = (s: any) => ({
  entities: s.entities.map(([start, end, type]: any[]) => ({ start, end, type })),
  relations: s.relations.map(([head, tail, type]: any[]) => ({ head, tail, type })),
});

test('strict metrics reproduce spec/fixtures/metrics.json', () => {
  const r = score(fx.gold.map(toSentence), fx.predicted.map(toSentence));
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);
  const e = fx.expected;
  assert.deepEqual([r.ner.micro.tp, r.ner.micro.fp, r.ner.micro.fn], [e.ner.tp, e.ner.fp, e.ner.fn]);
  close(r.ner.micro.f1, e.ner.micro_f1);
  close(r.ner.macro_f1, e.ner.macro_f1);
  for (const [t, f] of Object.entries(e.ner.per_type_f1)) close(r.ner.per_type[t].f1, f as number);
  assert.deepEqual([r.re_strict.micro.tp, r.re_strict.micro.fp, r.re_strict.micro.fn], [e.re_strict.tp, e.re_strict.fp, e.re_strict.fn]);
  close(r.re_strict.micro.f1, e.re_strict.micro_f1);
  close(r.re_strict.macro_f1, e.re_strict.macro_f1);
  assert.deepEqual([r.re_boundary.micro.tp, r.re_boundary.micro.fp, r.re_boundary.micro.fn], [e.re_boundary.tp, e.re_boundary.fp, e.re_boundary.fn]);
  close(r.re_boundary.micro.f1, e.re_boundary.micro_f1);
  assert.equal(headlineLine(r), e.headline);
});

test('two decimals like Python: exact binary ties round to even', () => {
  assert.equal(fixed2(50.125), '50.12');
  assert.equal(fixed2(50.375), '50.38');
  assert.equal(fixed2(33.333333), '33.33');
  assert.equal(fixed2(0), '0.00');
});

test('JSONL reader validates spans and names the line', () => {
  const ok = parseJsonl('{"id":"a","tokens":["x","y"],"entities":[{"type":"T","start":0,"end":2}],"relations":[],"orig_id":"7"}\n\n');
  assert.equal(ok.length, 1);
  assert.equal(ok[0].orig_id, '7');
  assert.throws(() => parseJsonl('{"tokens":["x"],"entities":[{"type":"T","start":0,"end":2}]}', 'f.jsonl'), (e: unknown) => e instanceof DataError && /f\.jsonl:1: entity 0/.test((e as Error).message));
  assert.throws(() => parseJsonl('{"tokens":["x"],"entities":[],"relations":[{"type":"r","head":0,"tail":0}]}', 'g'), /relation 0 points outside/);
  assert.throws(() => parseJsonl('nope', 'h'), /h:1: not valid JSON/);
});
