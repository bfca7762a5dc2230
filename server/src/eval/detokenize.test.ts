import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRoot } from '../paths';
import { detokenize } from './detokenize';

const fixture = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'spec', 'fixtures', 'detokenize.json'), 'utf8'));

test('detokenizer reproduces every case of spec/fixtures/detokenize.json (the Python twin reads the same file)', () => {
  for (const c of fixture.cases as Array<{ tokens: string[]; text: string; spans: Array<[number, number]> }>) {
    const d = detokenize(c.tokens);
    assert.equal(d.text, c.text);
    assert.deepEqual(d.spans, c.spans);
    d.spans.forEach(([a, b], i) => assert.equal(d.text.slice(a, b), c.tokens[i]));
  }
});
