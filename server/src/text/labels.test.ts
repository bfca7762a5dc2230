import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { SentenceSpan } from './types';
import { segmentDocument } from './segment';
import { clinicalSectionTitle } from './labels';
import { assertSegmentation } from './segmentChecks';

/** Segments as "H:words" (heading) or "S:words" (sentence). */
function segments(text: string, lang = 'plaintext'): string[] {
  const ss: SentenceSpan[] = segmentDocument(text, lang);
  assertSegmentation(text, ss, { plain: lang === 'plaintext' });
  return ss.map((s) => `${s.kind === 'heading' ? 'H' : 'S'}:${s.tokens.map((t) => t.text).join(' ')}`);
}

test('CAPS labels ending in ":" at the start of a line or a sentence are headings; the content starts a sentence', () => {
  assert.deepEqual(segments('HISTORY OF PRESENT ILLNESS: The patient is a 45-year-old male. PLAN/RECOMMENDATIONS: Follow up.'), [
    'H:HISTORY OF PRESENT ILLNESS :',
    'S:The patient is a 45 - year - old male .',
    'H:PLAN / RECOMMENDATIONS :',
    'S:Follow up .',
  ]);
  assert.deepEqual(segments('HEAD, EYES, EARS, NOSE AND THROAT: Normal.'), ['H:HEAD , EYES , EARS , NOSE AND THROAT :', 'S:Normal .']);
  assert.deepEqual(segments('ALLERGIES:\nNKDA.'), ['H:ALLERGIES :', 'S:NKDA .']);
});

test('MTSamples run-ons: "CAPS,Content" and ".," joins split into labels and sentences', () => {
  const text = 'PREOPERATIVE DIAGNOSES,Airway obstruction secondary to stenosis.,POSTOPERATIVE DIAGNOSES,Airway obstruction.,OPERATION PERFORMED, Neck exploration.';
  assert.deepEqual(segments(text), [
    'H:PREOPERATIVE DIAGNOSES ,',
    'S:Airway obstruction secondary to stenosis . ,',
    'H:POSTOPERATIVE DIAGNOSES ,',
    'S:Airway obstruction . ,',
    'H:OPERATION PERFORMED ,',
    'S:Neck exploration .',
  ]);
  assert.deepEqual(segments('Vitals: BP 124/78.,HEENT: Throat mildly erythematous.,Neck: Supple.'), [
    'H:Vitals :',
    'S:BP 124/78 . ,',
    'H:HEENT :',
    'S:Throat mildly erythematous . ,',
    'H:Neck :',
    'S:Supple .',
  ]);
  assert.deepEqual(segments('Vitals: BP 120/80, pulse 72,HEENT: normal, NECK: supple'), ['H:Vitals :', 'S:BP 120/80 , pulse 72 ,', 'H:HEENT :', 'S:normal ,', 'H:NECK :', 'S:supple']);
  assert.deepEqual(segments('CC:, Confusion.,DISPOSITION,: Stable.'), ['H:CC : ,', 'S:Confusion . ,', 'H:DISPOSITION , :', 'S:Stable .']);
  assert.deepEqual(segments('Zinc.,PHYSICAL EXAMINATION,GENERAL: Pleasant gentleman.'), ['S:Zinc . ,', 'H:PHYSICAL EXAMINATION ,', 'H:GENERAL :', 'S:Pleasant gentleman .']);
});

test('a section title in capitals ending its line, after the ".," join or alone, is a heading; other capitals are prose', () => {
  assert.deepEqual(segments('Otherwise noncontributory.,MEDICATIONS\n1. NyQuil.\n2. Aspirin.'), [
    'S:Otherwise noncontributory . ,',
    'H:MEDICATIONS',
    'S:NyQuil .',
    'S:Aspirin .',
  ]);
  assert.deepEqual(segments('PHYSICAL EXAMINATION\nHe is well.'), ['H:PHYSICAL EXAMINATION', 'S:He is well .']);
  // not a section title, or not where a section starts: prose
  assert.deepEqual(segments('He was tested for HIV\nIt was negative.'), ['S:He was tested for HIV', 'S:It was negative .']);
  assert.deepEqual(segments('The contract went to NASA\nYesterday it was signed.'), ['S:The contract went to NASA', 'S:Yesterday it was signed .']);
  // after a word, in the middle of a sentence: a section word in capitals stays prose
  assert.deepEqual(segments('He works at GENERAL\nMotors.'), ['S:He works at GENERAL', 'S:Motors .']);
});

test('Title Case labels at the start of a line: at most five words, the colon glued', () => {
  assert.deepEqual(segments('Allergies: none\nPast Medical History: Hypertension and diabetes.\nVitals: BP 120/80'), [
    'H:Allergies :',
    'S:none',
    'H:Past Medical History :',
    'S:Hypertension and diabetes .',
    'H:Vitals :',
    'S:BP 120/80',
  ]);
  assert.deepEqual(segments('History of Present Illness: Pain.'), ['H:History of Present Illness :', 'S:Pain .']);
  // Tokenised news writes a spaced colon after a dateline: prose, and "Montana" stays visible to models.
  assert.deepEqual(segments('Montana : A fire burning in grassland became the biggest fire.'), ['S:Montana : A fire burning in grassland became the biggest fire .']);
  // A glued colon after one capitalised word is a section only when the word is a section title.
  assert.deepEqual(segments('Montana: A fire burning in grassland became the biggest fire.'), ['S:Montana : A fire burning in grassland became the biggest fire .']);
  assert.deepEqual(segments('Neck: Supple without adenopathy.'), ['H:Neck :', 'S:Supple without adenopathy .']);
  // Too long for a label, not Title Case, or in the middle of a sentence: prose.
  assert.deepEqual(segments('The Very Long Title Of Some Report: text.'), ['S:The Very Long Title Of Some Report : text .']);
  assert.deepEqual(segments('The patient reports the following: pain.'), ['S:The patient reports the following : pain .']);
  assert.deepEqual(segments('She saw Dr. Smith: fine.'), ['S:She saw Dr. Smith : fine .']);
});

test('text in capitals is prose, not headings', () => {
  assert.deepEqual(segments('THE PATIENT IS A 45 YEAR OLD MALE. HE DENIES CHEST PAIN, SHORTNESS OF BREATH.\nHE TAKES ASPIRIN, LISINOPRIL AND METFORMIN.'), [
    'S:THE PATIENT IS A 45 YEAR OLD MALE .',
    'S:HE DENIES CHEST PAIN , SHORTNESS OF BREATH .',
    'S:HE TAKES ASPIRIN , LISINOPRIL AND METFORMIN .',
  ]);
  // ... and a label inside capital text is still a label
  assert.deepEqual(segments('IMPRESSION: THE PATIENT IS STABLE.'), ['H:IMPRESSION :', 'S:THE PATIENT IS STABLE .']);
});

test('Markdown headings are headings; labels inside Markdown paragraphs too', () => {
  assert.deepEqual(segments('## Objective\n\nVitals: Weight was 130 pounds.,HEENT: Clear.', 'markdown'), ['H:Objective', 'H:Vitals :', 'S:Weight was 130 pounds . ,', 'H:HEENT :', 'S:Clear .']);
});

test('clinical section titles: headings of a note are, titles of prose are not', () => {
  assert.equal(clinicalSectionTitle(['Current', 'Medications']), 'current medications');
  assert.equal(clinicalSectionTitle(['ALLERGIES', ':']), 'allergies');
  assert.equal(clinicalSectionTitle(['Impression', '/', 'Plan']), 'impression plan');
  assert.equal(clinicalSectionTitle(['Miscellaneous/Eating', 'History']), 'miscellaneous/eating history');
  assert.equal(clinicalSectionTitle(['Preoperative', 'Diagnosis']), 'preoperative diagnosis');
  assert.equal(clinicalSectionTitle(['Overview']), null);
  assert.equal(clinicalSectionTitle(['Early', 'life']), null);
  assert.equal(clinicalSectionTitle(['The', 'history', 'of', 'the', 'Roman', 'Empire']), null, 'longer than a section title');
  assert.equal(clinicalSectionTitle(['1', '.']), null);
});
