// Label Studio and Prodigy exports, checked against each tool's published task format (the tools
// themselves cannot be installed here): Label Studio's "Import pre-annotated data" JSON
// (labelstud.io/guide/predictions: data + predictions[].result with `labels` regions and `relation`
// items) and Prodigy's relations interface (prodi.gy/docs/api-interfaces: text, tokens, spans,
// relations with head/child token indices and head_span/child_span). Each test reads the export back
// the way the tool would and recovers every entity and relation of the document.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import type { ExportDocument } from './exportDocument';
import { planExport } from './formats';
import { labelStudioConfig, toLabelStudio } from './labelStudio';
import { toProdigy } from './prodigy';

// An emoji before the entities: UTF-16 (Label Studio) and code points (Prodigy) differ by one.
const S1 = '😀 She took aspirin and got a rash.';
const S2 = 'No problems with metformin.';
const TEXT = `${S1}\n${S2}\n`;

function doc(): ExportDocument {
  const sentences = [
    { index: 0, text: S1, start: 0, end: S1.length, tokens: [], kind: 'sentence' as const },
    { index: 1, text: S2, start: S1.length + 1, end: S1.length + 1 + S2.length, tokens: [], kind: 'sentence' as const },
  ];
  const ent = (id: string, type: string, str: string, sentence: number): EntityAnnotation => {
    const start = TEXT.indexOf(str);
    return { id, type, start, end: start + str.length, text: str, score: 0.8, model: 'm', sentence, assertion: { status: sentence ? 'negated' : 'present' } };
  };
  const drug = ent('T1', 'Drug', 'aspirin', 0);
  const rash = ent('T2', 'Adverse-Effect', 'rash', 0);
  const met = ent('T3', 'Drug', 'metformin', 1);
  const rel: RelationAnnotation = { id: 'R1', type: 'Adverse-Effect', head: rash, tail: drug, score: 0.7, model: 'm', sentence: 0, symmetric: false, assertion: { status: 'present' } };
  const annotations: DocumentAnnotations = { uri: 'file:///n.md', version: 1, sentences, entities: [drug, rash, met], relations: [rel], stats: { sentences: 2, inferred: 2, cacheHits: 0, models: ['m'] } };
  return { annotations, text: TEXT };
}

test('Label Studio: tasks with predictions in the documented shape, regions on the text, relations by region id', () => {
  const tasks = JSON.parse(toLabelStudio([doc()]));
  assert.ok(Array.isArray(tasks) && tasks.length === 1);
  const [task] = tasks;
  assert.equal(typeof task.data.text, 'string');
  assert.ok(Array.isArray(task.predictions) && task.predictions.length === 1);
  const { result, model_version, score } = task.predictions[0];
  assert.equal(typeof model_version, 'string');
  assert.ok(score >= 0 && score <= 1);
  const regions = result.filter((r: { type: string }) => r.type === 'labels');
  const relations = result.filter((r: { type: string }) => r.type === 'relation');
  assert.equal(regions.length + relations.length, result.length, 'every item is a region or a relation');
  const ids = new Set<string>();
  for (const r of regions) {
    assert.deepEqual(Object.keys(r).sort(), ['from_name', 'id', 'meta', 'score', 'to_name', 'type', 'value']);
    assert.equal(r.from_name, 'label');
    assert.equal(r.to_name, 'text');
    // Label Studio slices the text as JavaScript does
    assert.equal(task.data.text.slice(r.value.start, r.value.end), r.value.text);
    assert.equal(r.value.labels.length, 1);
    ids.add(r.id);
  }
  assert.equal(ids.size, regions.length, 'region ids are unique');
  for (const rel of relations) {
    assert.ok(ids.has(rel.from_id) && ids.has(rel.to_id));
    assert.equal(rel.direction, 'right');
    assert.ok(Array.isArray(rel.labels));
  }
  // read back: the document's entities and triples
  const byId = new Map(regions.map((r: { id: string; value: { text: string; labels: string[] } }) => [r.id, r.value]));
  assert.deepEqual(regions.map((r: { value: { text: string; labels: string[] } }) => `${r.value.text}/${r.value.labels[0]}`), ['aspirin/Drug', 'rash/Adverse-Effect', 'metformin/Drug']);
  assert.deepEqual(relations.map((r: { from_id: string; to_id: string; labels: string[] }) => `${(byId.get(r.from_id) as { text: string }).text}>${r.labels[0]}>${(byId.get(r.to_id) as { text: string }).text}`), ['rash>Adverse-Effect>aspirin']);
  assert.match(regions[2].meta.text[0], /negated/);
});

test('Label Studio: the labelling config names every label the tasks use, and is written beside them', () => {
  const config = labelStudioConfig([doc().annotations]);
  for (const needle of ['<Text name="text" value="$text"/>', '<Labels name="label" toName="text">', '<Label value="Drug"/>', '<Label value="Adverse-Effect"/>', '<Relation value="Adverse-Effect"/>']) {
    assert.ok(config.includes(needle), needle);
  }
  const files = planExport([doc()], 'labelstudio', '/out/n.labelstudio.json').map((f) => f.file);
  assert.deepEqual(files, ['/out/n.labelstudio.json', '/out/label-studio-config.xml']);
});

test('Prodigy: one task per sentence with tokens, spans and relations as the relations interface reads them', () => {
  const tasks = toProdigy([doc()]).trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(tasks.length, 2);
  const found: string[] = [];
  const triples: string[] = [];
  for (const t of tasks) {
    const cps = Array.from(t.text as string);
    const slice = (a: number, b: number) => cps.slice(a, b).join('');
    t.tokens.forEach((tok: { text: string; start: number; end: number; id: number; ws: boolean }, i: number) => {
      assert.equal(tok.id, i);
      assert.equal(slice(tok.start, tok.end), tok.text, 'token offsets are code points into the task text');
      assert.equal(tok.ws, cps[tok.end] === ' ' || cps[tok.end] === '\n');
    });
    for (const s of t.spans) {
      assert.equal(t.tokens[s.token_start].start, s.start, 'a span starts at its first token');
      assert.equal(t.tokens[s.token_end].end, s.end, 'token_end is inclusive');
      found.push(`${slice(s.start, s.end)}/${s.label}`);
    }
    for (const r of t.relations) {
      assert.equal(r.head, r.head_span.token_end);
      assert.equal(r.child, r.child_span.token_end);
      assert.ok(t.spans.some((s: object) => JSON.stringify(s) === JSON.stringify(r.head_span)));
      triples.push(`${slice(r.head_span.start, r.head_span.end)}>${r.label}>${slice(r.child_span.start, r.child_span.end)}`);
    }
    assert.equal(typeof t.meta.uri, 'string');
  }
  assert.deepEqual(found, ['aspirin/Drug', 'rash/Adverse-Effect', 'metformin/Drug']);
  assert.deepEqual(triples, ['rash>Adverse-Effect>aspirin']);
  assert.equal(tasks[0].spans[0].start, S1.indexOf('aspirin') - 1, 'one emoji before: code points, one less than UTF-16');
});
