import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readLines } from './lineReader';
import type { ReadLine } from './lineReader';

async function all(chunks: Array<string | Buffer>, maxBytes: number): Promise<ReadLine[]> {
  const out: ReadLine[] = [];
  for await (const l of readLines(Readable.from(chunks), maxBytes)) out.push(l);
  return out;
}

test('lines across chunk borders, CRLF, a last line without a newline, a character split between chunks', async () => {
  const euro = Buffer.from('€', 'utf8'); // three bytes
  const lines = await all(['{"a":1}\r\n{"b"', ':2}\n', Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]), euro.subarray(1), '\nlast'], 100);
  assert.deepEqual(lines, [
    { number: 1, text: '{"a":1}' },
    { number: 2, text: '{"b":2}' },
    { number: 3, text: 'x€' },
    { number: 4, text: 'last' },
  ]);
});

test('a line over the limit is reported by its length and head, and the lines after it are read', async () => {
  const long = '{"id": "big", "text": "' + 'a'.repeat(5000) + '"}';
  const lines = await all([long.slice(0, 1000), long.slice(1000), '\n{"id": 2}\n'], 200);
  assert.equal(lines.length, 2);
  assert.deepEqual({ ...lines[0], head: undefined }, { number: 1, tooLong: long.length, head: undefined });
  assert.ok('head' in lines[0] && lines[0].head.startsWith('{"id": "big"'));
  assert.deepEqual(lines[1], { number: 2, text: '{"id": 2}' });
});

test('the reader pulls a chunk only when the next line is asked for (backpressure)', async () => {
  let pulled = 0;
  async function* source() {
    for (let i = 0; i < 1000; i++) {
      pulled++;
      yield `{"id": ${i}}\n`;
    }
  }
  const it = readLines(source(), 100);
  await it.next();
  await it.next();
  assert.ok(pulled <= 3, `${pulled} chunks read for two lines`);
  await it.return(undefined);
});
