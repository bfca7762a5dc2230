import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRoot, sharedRoot } from '../paths';
import { segmentDocument } from '../text/segment';
import { CLINICAL_DOMAIN, defaultRouterFile, DomainRouter, fits, MIN_CLINICAL_SECTIONS, MIN_KNOWN_WORDS } from './domainRouter';

const router = DomainRouter.load(defaultRouterFile(extensionRoot));
const words = (text: string, lang = 'markdown') => segmentDocument(text, lang).flatMap((s) => s.tokens.map((t) => t.text));
const devText = (ds: string) =>
  fs.readFileSync(path.join(sharedRoot, 'data', ds, 'dev.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l).tokens as string[]).join(' ')).join('\n');

test('the shipped router knows the three domains the packages are trained for', () => {
  assert.deepEqual([...router.classes].sort(), ['clinical', 'general', 'science']);
});

test('real clinical notes get the clinical models (alone or mixed), news gets the general ones', () => {
  const dir = path.join(sharedRoot, 'notes');
  const notes = fs.readdirSync(dir).filter((f) => /^\d.*\.md$/.test(f));
  const withClinical = notes.filter((f) => router.decide(words(fs.readFileSync(path.join(dir, f), 'utf8'))).domains.includes('clinical'));
  // measured when the router was trained: 79 of 80 notes; one reads as a letter (general)
  assert.ok(withClinical.length >= notes.length - 2, `${withClinical.length}/${notes.length} notes reach the clinical models`);
  const news = router.decide(words(devText('conll04'), 'plaintext'));
  assert.deepEqual(news.domains, ['general']);
  assert.deepEqual(router.decide(words(devText('ade'), 'plaintext')).domains, ['clinical']);
  assert.deepEqual(router.decide(words(devText('scierc'), 'plaintext')).domains, ['science']);
});

test('too little text is undecided and every model fits; a package without a domain fits everything', () => {
  const d = router.decide(['The', 'patient', 'took', 'aspirin']);
  assert.ok(d.knownWords < MIN_KNOWN_WORDS);
  assert.deepEqual(d.domains, []);
  assert.ok(fits('general', d) && fits('clinical', d));
  const news = router.decide(words(devText('conll04'), 'plaintext'));
  assert.ok(!fits('clinical', news) && fits('general', news) && fits(undefined, news));
});

test('a document mixing a discharge note and news gets both domains', () => {
  const text = fs.readFileSync(path.join(extensionRoot, 'examples', 'plain-note.txt'), 'utf8');
  const d = router.decide(words(text, 'plaintext'));
  assert.ok(d.domains.includes('clinical') && d.domains.includes('general'), d.reason);
});

test('a missing or malformed router file is a clear error', () => {
  assert.throws(() => DomainRouter.load('/nonexistent/domains.json'), /domain router \/nonexistent\/domains.json cannot be read/);
  const bad = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'router-')), 'domains.json');
  fs.writeFileSync(bad, '{"classes": ["only"]}');
  assert.throws(() => DomainRouter.load(bad), /no 'classes' list/);
});

test('clinical section headings make a mixed or undecided document clinical; words that decide another domain alone still win', () => {
  const totals = (lead: Record<string, number>) => router.classes.map((c) => lead[c] ?? 0);
  const sections = ['subjective', 'medications', 'allergies', 'assessment', 'plan'];
  // A short note naming a city and brand names: the words alone leave it mixed (measured: 0.098 per word).
  const mixed = totals({ clinical: 10, general: 5 });
  assert.equal(router.decideTotals(mixed, 50).domains.length, 2);
  const byHeadings = router.decideTotals(mixed, 50, sections);
  assert.deepEqual(byHeadings.domains, [CLINICAL_DOMAIN]);
  assert.match(byHeadings.reason, /5 clinical section headings: subjective, medications, allergies, …; words alone: mixed/);
  // Too few headings change nothing, nor do headings on a document the words call general alone.
  assert.equal(router.decideTotals(mixed, 50, sections.slice(0, MIN_CLINICAL_SECTIONS - 1)).domains.length, 2);
  assert.deepEqual(router.decideTotals(totals({ general: 40 }), 50, sections).domains, ['general']);
  // A note just started (too few known words) with its section skeleton typed is clinical already.
  assert.deepEqual(router.decideTotals(totals({}), 3, sections).domains, [CLINICAL_DOMAIN]);
});
