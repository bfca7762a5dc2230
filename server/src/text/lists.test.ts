import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { segmentDocument } from './segment';
import { assertSegmentation } from './segmentChecks';

function sentences(text: string, lang = 'plaintext'): string[] {
  const ss = segmentDocument(text, lang);
  assertSegmentation(text, ss, { plain: lang === 'plaintext' });
  return ss.filter((s) => s.kind === 'sentence').map((s) => s.tokens.map((t) => t.text).join(' '));
}

test('numbered and dashed lists in lines: one item per sentence, markers are not words', () => {
  const items = ['Aspirin 81 mg daily', 'Lisinopril 10 mg', 'Metformin 500 mg twice daily'];
  for (const lang of ['plaintext', 'markdown']) {
    assert.deepEqual(sentences('1. Aspirin 81 mg daily\n2. Lisinopril 10 mg\n3. Metformin 500 mg twice daily\n', lang), items, lang);
    assert.deepEqual(sentences('- Aspirin 81 mg daily\n- Lisinopril 10 mg\n* Metformin 500 mg twice daily\n', lang), items, lang);
    assert.deepEqual(sentences('Medications:\n1) Aspirin 81 mg daily\n2) Lisinopril 10 mg\n3) Metformin 500 mg twice daily\n', lang), items, lang);
  }
});

test('inline numbered lists: each item is a sentence, the marker is not part of it', () => {
  // a sentence-final "mg." gives up its period, as training tokenises a sentence ending in one
  assert.deepEqual(sentences('Medications: 1. Aspirin 81 mg. 2. Lisinopril 10 mg. 3. Metformin.'), ['Aspirin 81 mg .', 'Lisinopril 10 mg .', 'Metformin .']);
  assert.deepEqual(sentences('Plan: 1. She will try Zyrtec. Another option is loratadine. 2. Samples of Nasonex given.'), [
    'She will try Zyrtec .',
    'Another option is loratadine .',
    'Samples of Nasonex given .',
  ]);
  // A number after a word is no list marker.
  assert.deepEqual(sentences('He was seen on day 3. Then he left.'), ['He was seen on day 3 .', 'Then he left .']);
  assert.deepEqual(sentences('The score was 2.5. He improved.'), ['The score was 2.5 .', 'He improved .']);
  // After a label or a colon a list starts at 1: a measurement is no marker.
  assert.deepEqual(sentences('Vital Signs: Pulse: 60. Temperature: 96.8 degrees.'), ['60 .', 'Temperature : 96.8 degrees .']);
  // Four digits are a marker only when they continue the list; a year is a word.
  assert.deepEqual(sentences('Surgery: 2019. Seen again. 1. Aspirin. 2. Heparin.'), ['2019 .', 'Seen again .', 'Aspirin .', 'Heparin .']);
  const long = Array.from({ length: 1001 }, (_, i) => `${i + 1}. Drug${i}.`).join(' ');
  assert.deepEqual(sentences(`Medications: ${long}`).slice(-3), ['Drug998 .', 'Drug999 .', 'Drug1000 .']);
  assert.deepEqual(sentences('2019. Seen in clinic.\n1. Aspirin\n2. Zinc'), ['2019 .', 'Seen in clinic .', 'Aspirin', 'Zinc']);
});

test('comma lists after a medication label split when their parts name doses', () => {
  assert.deepEqual(sentences('Medications: Aspirin 10 mg daily, Lisinopril 5 mg; metformin 500 mg b.i.d.'), ['Aspirin 10 mg daily ,', 'Lisinopril 5 mg ;', 'metformin 500 mg b.i.d.']);
  assert.deepEqual(sentences('DISCHARGE MEDICATIONS: Bactrim DS one pill a day, Proscar 5 mg a day, Flomax 0.4 mg (at night, with food).'), [
    'Bactrim DS one pill a day ,',
    'Proscar 5 mg a day ,',
    'Flomax 0.4 mg ( at night , with food ) .',
  ]);
  // Without doses it is a sentence, and without a medication label commas never split.
  assert.deepEqual(sentences('Medications: aspirin, which he stopped, and lisinopril.'), ['aspirin , which he stopped , and lisinopril .']);
  assert.deepEqual(sentences('Labs: sodium 140, potassium 4.1, chloride 101.'), ['sodium 140 , potassium 4.1 , chloride 101 .']);
});
