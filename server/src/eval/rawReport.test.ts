import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { segmentDocument } from '../text/segment';
import type { DocumentAnnotations } from '../annotations/types';
import type { GoldDocument } from './charGold';
import { rawEvaluation, trimSplitPeriods } from './rawReport';

const text = 'Fighting spread in Kosovo.\nHe met Dr. Smith.';
const gold: GoldDocument = {
  name: 'd', source: 'd', text, language: 'plaintext',
  units: [{ id: 's1', start: 0, end: 26 }, { id: 's2', start: 27, end: text.length }],
  entities: [{ start: 19, end: 26, type: 'Loc' }, { start: 34, end: 37, type: 'Peop' }],
  relations: [],
};

// Whatever else an annotation carries (an assertion status, ...) does not matter to scoring.
const rest = { assertion: { status: 'present' as const } };

function annotations(entities: Array<[number, number, string]>): DocumentAnnotations {
  return {
    uri: 'd', version: 0, sentences: segmentDocument(text, 'plaintext'), relations: [],
    entities: entities.map(([start, end, type], i) => ({ id: `T${i + 1}`, type, start, end, text: text.slice(start, end), score: 1, model: 'm', sentence: 0, ...rest })),
    stats: { sentences: 2, inferred: 2, cacheHits: 0, models: ['m'] },
  };
}

test('a gold entity ending in a period the editor splits off is scored without it in the trimmed view only', () => {
  const pred = annotations([[19, 25, 'Loc'], [34, 37, 'Peop']]);
  const trimmed = trimSplitPeriods(gold, pred);
  assert.deepEqual(trimmed.entities[0], { start: 19, end: 25, type: 'Loc' }, '"Kosovo." -> "Kosovo"');
  assert.equal(trimmed.entities[1], gold.entities[1], '"Dr." keeps its period: it is one token');
  const e = rawEvaluation([gold], [pred], new Set());
  assert.equal(e.report.ner.micro.tp, 1);
  assert.equal(e.report_periods_trimmed.ner.micro.tp, 2);
  assert.equal(e.ends_with_split_period, 1);
});
