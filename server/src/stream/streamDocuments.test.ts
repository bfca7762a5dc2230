import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { chattyTinyPackage, conllTrain, tempDir } from '../testing/fixtures';
import { documentToJson } from '../export/formats';
import { Annotator } from '../pipeline/annotator';
import { streamDocuments } from './streamDocuments';
import type { StreamRecord } from './streamDocuments';

const OPTIONS = { maxLineBytes: 1 << 20, maxDocumentChars: 100_000, assertions: 'all' as const };

class Collect extends Writable {
  lines: string[] = [];
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 16 });
  }
  _write(chunk: Buffer, _enc: string, done: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    setTimeout(done, this.delayMs);
  }
  records(): StreamRecord[] {
    return this.lines.map((l) => JSON.parse(l));
  }
}

/**
 * Equal but for the scores' last digits: documents analysed together share ORT calls, and ORT's kernels
 * sum in another order when a call's shape changes (the package parity check allows 1e-3).
 */
function assertSameRecord(actual: unknown, expected: unknown, what: string) {
  const scores: Array<[number, number]> = [];
  const strip = (v: unknown, into: number[]): unknown =>
    Array.isArray(v) ? v.map((x) => strip(x, into)) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => (k === 'score' ? (into.push(x as number), [k, 0]) : [k, strip(x, into)]))) : v;
  const a: number[] = [];
  const e: number[] = [];
  assert.deepEqual(strip(actual, a), strip(expected, e), what);
  a.forEach((x, i) => scores.push([x, e[i]]));
  for (const [x, y] of scores) assert.ok(Math.abs(x - y) < 1e-4, `${what}: score ${x} vs ${y}`);
}

const documents = () =>
  Array.from({ length: 12 }, (_, i) =>
    conllTrain(3 * (i + 1))
      .slice(3 * i)
      .map((s) => s.tokens.join(' '))
      .join('\n\n'),
  );

test('records come out in input order, each what a lone annotation of its text gives; failures are records', async () => {
  const annotator = new Annotator([await chattyTinyPackage()], { executionProvider: 'cpu', maxDocumentChars: OPTIONS.maxDocumentChars });
  const fresh = new Annotator([await chattyTinyPackage()], { executionProvider: 'cpu' });
  try {
    const dir = tempDir();
    const onDisk = path.join(dir, 'note.md');
    fs.writeFileSync(onDisk, documents()[0]);
    const input = [
      ...documents().map((text, i) => JSON.stringify({ id: `d${i}`, text })),
      JSON.stringify({ id: 'file', path: onDisk }),
      '{"id": "broken", "text": ',
      JSON.stringify({ id: 'gone', path: path.join(dir, 'missing.md') }),
      JSON.stringify({ id: 'binary', text: '\u0000\u0001'.repeat(100) }),
      JSON.stringify({ id: 'huge', text: 'word '.repeat(30_000) }),
      JSON.stringify({ id: 'last', text: 'Smith lives in Boston.' }),
    ].join('\n');
    const out = new Collect();
    const summary = await streamDocuments(annotator, Readable.from([input]), out, { ...OPTIONS, concurrency: 4 });
    const records = out.records();
    assert.deepEqual(records.map((r) => r.id), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', 'd10', 'd11', 'file', null, 'gone', 'binary', 'huge', 'last']);
    assert.deepEqual(records.map((r) => r.line), Array.from({ length: 18 }, (_, i) => i + 1));
    for (const [i, text] of documents().entries()) {
      const alone = documentToJson({ annotations: await fresh.annotate(`erlens-stream:d${i}`, 0, text, 'plaintext'), text });
      const { id, line, ...fields } = records[i];
      assertSameRecord(fields, alone, `document d${i}`);
    }
    assert.ok(records.slice(0, 12).some((r) => (r.entities as unknown[]).length > 0), 'the chatty model marks something');
    const fromFile = records[12];
    assert.equal(fromFile.error, undefined);
    assert.equal(fromFile.uri, `file://${onDisk}`);
    assertSameRecord(fromFile.entities, records[0].entities, 'a path is read as the same text');
    assert.match(records[13].error!, /^not JSON/);
    assert.match(records[14].error!, /^file not found/);
    assert.match(records[15].error!, /binary/);
    assert.match(records[16].error!, /over the limit of 100000/);
    assert.equal(records[17].error, undefined);
    assert.equal(summary.documents, 18);
    assert.equal(summary.errors, 4);
  } finally {
    await annotator.dispose();
    await fresh.dispose();
  }
});

test('a slow reader of the output holds back the input: no more than the window is read ahead', async () => {
  const annotator = new Annotator([await chattyTinyPackage()], { executionProvider: 'cpu' });
  try {
    let read = 0;
    let aheadMax = 0;
    const out = new Collect(5);
    async function* input() {
      for (let i = 0; i < 60; i++) {
        read++;
        aheadMax = Math.max(aheadMax, read - out.lines.length);
        yield JSON.stringify({ id: i, text: 'Smith lives in Boston.' }) + '\n';
      }
    }
    await streamDocuments(annotator, input(), out, { ...OPTIONS, concurrency: 3 });
    assert.equal(out.lines.length, 60);
    // the window, plus what the writer's small buffer holds
    assert.ok(aheadMax <= 3 + 4, `read up to ${aheadMax} documents ahead of the output`);
  } finally {
    await annotator.dispose();
  }
});
