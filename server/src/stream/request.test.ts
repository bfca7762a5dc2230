import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRequest } from './request';

const line = (text: string, number = 7) => parseRequest({ number, text });

test('documents by text or path, with an optional language; blank lines are not documents', () => {
  assert.deepEqual(line('{"id": "a", "text": "Aspirin."}'), { line: 7, id: 'a', text: 'Aspirin.', language: undefined });
  assert.deepEqual(line('{"id": 3, "path": "n.md", "language": "markdown"}'), { line: 7, id: 3, path: 'n.md', language: 'markdown' });
  assert.deepEqual(line('{"id": "e", "text": ""}'), { line: 7, id: 'e', text: '', language: undefined });
  assert.equal(line('   '), undefined);
});

test('what cannot be a document says why, with the id when there is one', () => {
  assert.deepEqual(line('{"id": "a", "text": 5}'), { line: 7, id: 'a', error: '"text" must be a string' });
  assert.deepEqual(line('{"id": "a"}'), { line: 7, id: 'a', error: 'needs "text" or "path"' });
  assert.deepEqual(line('{"text": "x"}'), { line: 7, id: null, error: 'no "id"' });
  assert.deepEqual(line('{"id": [1], "text": "x"}'), { line: 7, id: null, error: '"id" must be a string or a number' });
  assert.deepEqual(line('{"id": "a", "text": "x", "language": "html"}'), { line: 7, id: 'a', error: '"language" must be markdown or plaintext' });
  assert.deepEqual(line('[1, 2]'), { line: 7, id: null, error: 'not a JSON object' });
  assert.match((line('{"id": "a", "text": "x') as { error: string }).error, /^not JSON: /);
  assert.deepEqual(parseRequest({ number: 2, tooLong: 9_000_000, head: '{"id": "big-1", "text": "aaaa' }), {
    line: 2,
    id: 'big-1',
    error: 'line of 9000000 bytes is over the limit (--max-line-bytes)',
  });
});
