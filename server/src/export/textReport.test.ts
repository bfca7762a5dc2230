import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import type { SentenceSpan } from '../text/types';
import { toTextReport } from './textReport';

const TEXT = 'He took haloperidol; the tremor improved after haloperidol was stopped. No rash.\n\nNothing here.';

function entity(id: string, type: string, words: string, nth: number, sentence: number, status: EntityAnnotation['assertion']['status'] = 'present'): EntityAnnotation {
  let start = -1;
  for (let k = 0; k <= nth; k++) start = TEXT.indexOf(words, start + 1);
  const trigger = status === 'negated' ? { text: 'No', start: TEXT.indexOf('No '), end: TEXT.indexOf('No ') + 2 } : undefined;
  return { id, type, start, end: start + words.length, text: words, score: 0.9, model: 'm', sentence, assertion: { status, ...(trigger ? { trigger } : {}) } };
}

function sentence(index: number, text: string): SentenceSpan {
  const start = TEXT.indexOf(text);
  return { index, text, start, end: start + text.length, tokens: [], kind: 'sentence' };
}

function annotations(): DocumentAnnotations {
  const drug1 = entity('T1', 'Drug', 'haloperidol', 0, 0);
  const tremor = entity('T2', 'Adverse-Effect', 'tremor', 0, 0, 'historical');
  const drug2 = entity('T3', 'Drug', 'haloperidol', 1, 0);
  const rash = entity('T4', 'Adverse-Effect', 'rash', 0, 1, 'negated');
  const rel = (id: string, head: EntityAnnotation, tail: EntityAnnotation, score: number): RelationAnnotation => ({
    id, type: 'Adverse-Effect', head, tail, score, model: 'm', sentence: 0, symmetric: false, assertion: { status: 'historical', trigger: { text: 'was stopped', start: 59, end: 70 } },
  });
  return {
    uri: 'file:///notes/n.md',
    version: 1,
    sentences: [sentence(0, 'He took haloperidol; the tremor improved after haloperidol was stopped.'), sentence(1, 'No rash.'), sentence(2, 'Nothing here.')],
    entities: [drug1, tremor, drug2, rash],
    relations: [rel('R1', tremor, drug1, 0.81), rel('R2', tremor, drug2, 0.876)],
    stats: { sentences: 3, inferred: 3, cacheHits: 0, models: ['m'] },
  };
}

test('text report: per sentence its entities (type, assertion) then its relations as head → type → tail, in document order', () => {
  assert.equal(
    toTextReport([{ annotations: annotations(), text: TEXT, path: '/notes/n.md' }], { label: () => 'n.md' }),
    [
      'n.md: 3 sentences, 4 entities, 2 relations (m)',
      '',
      '  [0] He took haloperidol; the tremor improved after haloperidol was stopped.',
      // The two haloperidol spans read alike, so they say where they start.
      '    haloperidol@8   Drug            present',
      '    tremor          Adverse-Effect  historical',
      '    haloperidol@47  Drug            present',
      "    tremor → Adverse-Effect → haloperidol@8   historical: 'was stopped'  0.81",
      "    tremor → Adverse-Effect → haloperidol@47  historical: 'was stopped'  0.88",
      '',
      '  [1] No rash.',
      "    rash  Adverse-Effect  negated: 'No'",
      '',
    ].join('\n'),
  );
});

test('text report: documents one after another; skipped and empty documents say so; symmetric relations read ↔', () => {
  const a = annotations();
  a.relations = [{ ...a.relations[0], symmetric: true, type: 'Kill', assertion: { status: 'present' } }];
  const empty: DocumentAnnotations = { ...a, uri: 'file:///e.md', entities: [], relations: [], sentences: [], stats: { ...a.stats, sentences: 1, models: [] } };
  const skipped: DocumentAnnotations = { ...empty, uri: 'file:///b.bin', skipped: 'binary content (NUL characters)' };
  const out = toTextReport([
    { annotations: a, text: TEXT },
    { annotations: empty, text: 'x' },
    { annotations: skipped, text: 'x' },
  ]);
  assert.match(out, /^file:\/\/\/notes\/n\.md: 3 sentences, 4 entities, 1 relation \(m\)$/m);
  assert.match(out, /^ {4}tremor ↔ Kill ↔ haloperidol@8 {2}present {2}0\.81$/m);
  assert.match(out, /\n\nfile:\/\/\/e\.md: 1 sentence, 0 entities, 0 relations\n {2}no entities found\n\nfile:\/\/\/b\.bin: 1 sentence, 0 entities, 0 relations\n {2}not analysed: binary content \(NUL characters\)\n$/);
});
