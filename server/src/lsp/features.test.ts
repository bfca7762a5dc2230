/**
 * Unit tests of the feature modules on hand-made annotations (no model needed): token encoding,
 * diagnostics with severity/caps/related info, hover text, code lenses, the edit shift and settings.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { shiftAnnotations } from '../pipeline/shift';
import { buildCodeLenses, PICK_RELATION_COMMAND, REVEAL_COMMAND } from './codeLens';
import { buildDiagnostics } from './diagnostics';
import { buildHover } from './hover';
import { buildSemanticTokens, nonOverlappingEntities } from './semanticTokens';
import { DEFAULT_SETTINGS, normalizeSettings, severityFor } from './settings';
import { ASSERTION_VIEWS, DEFAULT_ASSERTION_VIEW } from '../assertion/view';
import { ASSERTION_STATUSES } from '../annotations/types';
import type { Assertion } from '../annotations/types';
import { DiagnosticTag } from 'vscode-languageserver/node';
import { ASSERTION_MODIFIERS, assertionModifierBit, LEGEND, RELATED_MODIFIER_BIT, tokenTypeIndex, TOKEN_TYPES } from './tokenLegend';

const TEXT = 'Patient took aspirin and got a rash.\r\nJohn Smith works for Acme in Paris.\n';

function entity(id: string, type: string, text: string, model = 'test', from = 0): EntityAnnotation {
  const start = TEXT.indexOf(text, from);
  assert.ok(start >= 0, text);
  return { id, type, start, end: start + text.length, text, score: 0.9, model, sentence: start < 38 ? 0 : 1, assertion: { status: 'present' } };
}

function relation(id: string, type: string, head: EntityAnnotation, tail: EntityAnnotation): RelationAnnotation {
  return { id, type, head, tail, score: 0.8, model: head.model, sentence: head.sentence, symmetric: false, assertion: { status: 'present' } };
}

function sample(): DocumentAnnotations {
  const aspirin = entity('T1', 'Drug', 'aspirin');
  const rash = entity('T2', 'Adverse-Effect', 'rash');
  const john = entity('T3', 'Peop', 'John Smith');
  const acme = entity('T4', 'Org', 'Acme');
  const paris = entity('T5', 'Loc', 'Paris');
  const weird = entity('T6', 'Gene', 'Patient');
  return {
    uri: 'file:///note.md',
    version: 1,
    sentences: [],
    entities: [weird, aspirin, rash, john, acme, paris],
    relations: [relation('R1', 'Adverse-Effect', aspirin, rash), relation('R2', 'Work_For', john, acme), relation('R3', 'OrgBased_In', acme, paris), relation('R4', 'Live_In', john, paris)],
    stats: { sentences: 2, inferred: 2, cacheHits: 0, models: ['test'] },
  };
}

const doc = () => TextDocument.create('file:///note.md', 'markdown', 1, TEXT);

function decode(data: number[]): { line: number; char: number; length: number; type: string; mods: number }[] {
  const out = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
    out.push({ line, char, length: data[i + 2], type: LEGEND.tokenTypes[data[i + 3]], mods: data[i + 4] });
  }
  return out;
}

test('semantic tokens map entity types to legend types, unknown types to erlensEntity', () => {
  const tokens = decode(buildSemanticTokens(doc(), sample()).data);
  assert.deepEqual(tokens.map((t) => t.type), ['erlensEntity', 'erlensDrug', 'erlensAdverseEffect', 'erlensPerson', 'erlensOrganization', 'erlensLocation']);
  assert.deepEqual(tokens[3], { line: 1, char: 0, length: 10, type: 'erlensPerson', mods: RELATED_MODIFIER_BIT | assertionModifierBit('present') });
  assert.equal(tokens[0].mods, assertionModifierBit('present'), 'Patient takes part in no relation');
});

test('semantic tokens: range requests only return tokens in the range; entities crossing a line are split', () => {
  const d = doc();
  const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 30 } };
  assert.deepEqual(decode(buildSemanticTokens(d, sample(), range).data).map((t) => t.type), ['erlensPerson', 'erlensOrganization', 'erlensLocation']);
  const wrapped = sample();
  const start = TEXT.indexOf('rash');
  wrapped.entities = [{ ...wrapped.entities[2], start, end: TEXT.indexOf('John') + 4 }];
  const parts = decode(buildSemanticTokens(d, wrapped).data);
  assert.deepEqual(parts.map((p) => [p.line, p.char, p.length]), [[0, start, TEXT.indexOf('\r') - start], [1, 0, 4]]);
});

test('overlapping entities keep the earliest, longest one', () => {
  const a = sample().entities;
  const overlapping = [{ ...a[3], id: 'X', start: a[3].start + 5 }, a[3]];
  assert.deepEqual(nonOverlappingEntities(overlapping, TEXT.length).map((e) => e.id), ['T3']);
});

test('diagnostics: one per relation, on the head, with code, source, message and related information', () => {
  const diags = buildDiagnostics(doc(), sample(), { settings: { ...DEFAULT_SETTINGS }, relatedInformation: true });
  assert.equal(diags.length, 4);
  const d = diags[0];
  assert.equal(d.source, 'erlens');
  assert.equal(d.code, 'Adverse-Effect');
  assert.equal(d.severity, DiagnosticSeverity.Information);
  assert.match(d.message as string, /^aspirin → Adverse-Effect → rash/);
  assert.deepEqual(d.range, { start: { line: 0, character: 13 }, end: { line: 0, character: 20 } });
  assert.equal(d.relatedInformation?.length, 2);
  assert.match(d.relatedInformation![1].message, /tail: Adverse-Effect "rash"/);
  const noRelated = buildDiagnostics(doc(), sample(), { settings: { ...DEFAULT_SETTINGS }, relatedInformation: false });
  assert.equal(noRelated[0].relatedInformation, undefined, 'guarded on the client capability');
});

test('diagnostics: per-type severity, off, and the per-document cap', () => {
  const settings = normalizeSettings({ diagnostics: { severity: { 'Adverse-Effect': 'warning', Work_For: 'off', '*': 'hint' }, maxPerDocument: 2 } });
  const diags = buildDiagnostics(doc(), sample(), { settings, relatedInformation: false });
  assert.equal(diags.length, 2);
  assert.equal(diags[0].severity, DiagnosticSeverity.Warning);
  assert.equal(diags[1].severity, DiagnosticSeverity.Hint);
  assert.ok(!diags.some((x) => x.code === 'Work_For'));
  assert.equal(severityFor(normalizeSettings({ 'diagnostics.severity': 'off' }), 'X'), 'off');
});

test('hover shows type, score, model and every relation with the other argument', () => {
  const d = doc();
  const hover = buildHover(d, sample(), d.positionAt(TEXT.indexOf('John') + 2));
  assert.ok(hover);
  const value = (hover!.contents as { value: string }).value;
  assert.match(value, /\*\*Peop\*\* `John Smith` — score 0\.90 · model test/, 'a plain present goes unsaid');
  assert.match(value, /→ \*\*Work\\_For\*\* → Acme \(Org/);
  assert.match(value, /→ \*\*Live\\_In\*\* → Paris \(Loc/);
  const paris = (buildHover(d, sample(), d.positionAt(TEXT.indexOf('Paris')))!.contents as { value: string }).value;
  assert.match(paris, /← \*\*OrgBased\\_In\*\* ← Acme/);
  assert.equal(buildHover(d, sample(), { line: 0, character: 9 }), null, 'no entity at "took"');
});

test('code lenses: one per relation revealing the tail; a summary lens when a sentence has many', () => {
  const lenses = buildCodeLenses(doc(), sample(), { ...DEFAULT_SETTINGS });
  assert.equal(lenses.length, 4);
  assert.equal(lenses[0].command?.title, 'aspirin → Adverse-Effect → rash');
  assert.equal(lenses[0].command?.command, REVEAL_COMMAND);
  assert.deepEqual(lenses[0].command?.arguments, ['file:///note.md', { start: { line: 0, character: 31 }, end: { line: 0, character: 35 } }]);
  const dense = buildCodeLenses(doc(), sample(), { ...DEFAULT_SETTINGS, codeLensMaxPerSentence: 2 });
  assert.equal(dense.length, 2);
  assert.equal(dense[1].command?.command, PICK_RELATION_COMMAND);
  assert.equal(dense[1].command?.title, '3 relations in this sentence');
  assert.equal(buildCodeLenses(doc(), sample(), { ...DEFAULT_SETTINGS, codeLensEnabled: false }).length, 0);
});

test('an edit shifts later annotations, drops touched ones and their relations', () => {
  const a = sample();
  const at = TEXT.indexOf('John');
  // Insert 3 characters before "John": everything in sentence 2 moves by 3, sentence 1 stays.
  const shifted = shiftAnnotations(a, { start: at, end: at, insertedLength: 3 }, 2);
  assert.equal(shifted.version, 2);
  assert.equal(shifted.entities.find((e) => e.id === 'T3')!.start, at + 3);
  assert.equal(shifted.entities.find((e) => e.id === 'T1')!.start, a.entities[1].start);
  assert.equal(shifted.relations.length, 4);
  assert.equal(shifted.relations[1].head, shifted.entities.find((e) => e.id === 'T3'), 'relations point at the moved entities');
  // Replace "rash" itself: the entity and its relation go away.
  const r = TEXT.indexOf('rash');
  const touched = shiftAnnotations(a, { start: r, end: r + 4, insertedLength: 5 }, 3);
  assert.ok(!touched.entities.some((e) => e.id === 'T2'));
  assert.ok(!touched.relations.some((x) => x.id === 'R1'));
  assert.equal(touched.entities.find((e) => e.id === 'T5')!.start, a.entities[5].start + 1);
});

test('settings: malformed values fall back to defaults', () => {
  const s = normalizeSettings({ models: 'x', executionProvider: 'tpu', debounceMs: -5, codeLens: { enabled: false }, trace: { server: 'verbose' }, export: { formats: ['csv', 'pdf'] } });
  assert.deepEqual(s.models, DEFAULT_SETTINGS.models);
  assert.equal(s.executionProvider, 'auto');
  assert.equal(s.debounceMs, 0);
  assert.equal(s.codeLensEnabled, false);
  assert.equal(s.trace, 'verbose');
  assert.deepEqual(s.exportFormats, ['csv']);
  assert.deepEqual(normalizeSettings(null), { ...DEFAULT_SETTINGS, exportFormats: [...DEFAULT_SETTINGS.exportFormats], models: [...DEFAULT_SETTINGS.models] });
});

test('package.json declares exactly the legend, with a superType and a scope fallback each', () => {
  const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
  const declared = manifest.contributes.semanticTokenTypes as { id: string; superType: string }[];
  assert.deepEqual(declared.map((t) => t.id), LEGEND.tokenTypes);
  assert.ok(declared.every((t) => t.superType));
  const scopes = manifest.contributes.semanticTokenScopes[0].scopes as Record<string, string[]>;
  for (const t of TOKEN_TYPES) assert.ok(scopes[t.id]?.length, t.id);
  assert.deepEqual(manifest.contributes.semanticTokenModifiers.map((m: { id: string }) => m.id), LEGEND.tokenModifiers);
  // Every entity type of the shipped models has its own colour.
  for (const type of ['Peop', 'Loc', 'Org', 'Other', 'Drug', 'Adverse-Effect']) assert.notEqual(tokenTypeIndex(type), 0, type);
});


/** The sample with "rash" negated by "no" (as if the text said so) and its relation with it. */
function withNegatedRash(): DocumentAnnotations {
  const a = sample();
  const negated: Assertion = { status: 'negated', trigger: { text: 'got', start: TEXT.indexOf('got'), end: TEXT.indexOf('got') + 3 } };
  a.entities[2].assertion = negated;
  a.relations[0].assertion = negated;
  a.relations[1].assertion = { status: 'historical', section: 'Past Medical History' };
  return a;
}

test('assertions: hidden or faded per erlens.assertions.show; lenses and hovers say the status', () => {
  const a = withNegatedRash();
  const diags = (show: string) => buildDiagnostics(doc(), a, { settings: { ...DEFAULT_SETTINGS, assertionsShow: show as never }, relatedInformation: false });
  // affirmed (default): the negated relation is gone, the historical one stays
  assert.equal(DEFAULT_SETTINGS.assertionsShow, 'affirmed');
  assert.deepEqual(diags('affirmed').map((d) => d.code), ['Work_For', 'Live_In', 'OrgBased_In']);
  assert.deepEqual(diags('present').map((d) => d.code), ['Live_In', 'OrgBased_In']);
  const all = diags('all');
  assert.equal(all.length, 4);
  assert.equal(all[0].severity, DiagnosticSeverity.Hint);
  assert.deepEqual(all[0].tags, [DiagnosticTag.Unnecessary]);
  assert.match(all[0].message as string, /negated: 'got'/);
  assert.equal(all[1].tags, undefined, 'a historical relation is affirmed: not faded');
  assert.match(all[1].message as string, /historical: section Past Medical History/);

  const lenses = (show: string) => buildCodeLenses(doc(), a, { ...DEFAULT_SETTINGS, assertionsShow: show as never, codeLensMaxPerSentence: 10 }).map((l) => l.command!.title);
  assert.ok(!lenses('affirmed').some((t) => t.startsWith('aspirin')));
  assert.ok(lenses('all').includes('aspirin → Adverse-Effect → rash · negated'));
  assert.ok(lenses('affirmed').includes('John Smith → Work_For → Acme · historical'));

  const hover = (buildHover(doc(), a, doc().positionAt(TEXT.indexOf('rash') + 1))!.contents as { value: string }).value;
  assert.match(hover, /\*\*Adverse\\-Effect\*\* `rash` — negated: 'got'/);
  assert.match(hover, /← \*\*Adverse\\-Effect\*\* ← aspirin \(Drug, score 0\.80\) — negated: 'got'/);

  const tokens = decode(buildSemanticTokens(doc(), a, undefined, 'affirmed').data);
  const rash = tokens.find((t) => t.type === 'erlensAdverseEffect')!;
  assert.equal(rash.mods, assertionModifierBit('negated'), 'negated, and its only relation is hidden: not related');
  assert.equal(decode(buildSemanticTokens(doc(), a, undefined, 'all').data).find((t) => t.type === 'erlensAdverseEffect')!.mods, assertionModifierBit('negated') | RELATED_MODIFIER_BIT);
});

test('settings: erlens.assertions.show is read, malformed values fall back, and package.json declares the same values', () => {
  assert.equal(normalizeSettings({ assertions: { show: 'all' } }).assertionsShow, 'all');
  assert.equal(normalizeSettings({ 'assertions.show': 'present' }).assertionsShow, 'present');
  assert.equal(normalizeSettings({ assertions: { show: 'negated' } }).assertionsShow, DEFAULT_ASSERTION_VIEW);
  const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
  const declared = manifest.contributes.configuration[0].properties['erlens.assertions.show'];
  assert.deepEqual(declared.enum, [...ASSERTION_VIEWS]);
  assert.equal(declared.default, DEFAULT_ASSERTION_VIEW);
  // one modifier per status, distinct bits
  const bits = ASSERTION_STATUSES.map((st) => assertionModifierBit(st));
  assert.equal(new Set(bits).size, ASSERTION_STATUSES.length);
  assert.ok(ASSERTION_STATUSES.every((st) => LEGEND.tokenModifiers.includes(ASSERTION_MODIFIERS[st])));
});

test('the edit shift moves assertion triggers with the text; an edit inside a trigger keeps the status only', () => {
  const a = withNegatedRash();
  const got = TEXT.indexOf('got');
  const before = shiftAnnotations(a, { start: 0, end: 0, insertedLength: 2 }, 2);
  assert.deepEqual(before.entities.find((e) => e.id === 'T2')!.assertion.trigger, { text: 'got', start: got + 2, end: got + 5 });
  assert.equal(before.relations.find((r) => r.id === 'R1')!.assertion.trigger!.start, got + 2);
  const inside = shiftAnnotations(a, { start: got + 1, end: got + 2, insertedLength: 1 }, 2);
  assert.deepEqual(inside.entities.find((e) => e.id === 'T2')!.assertion, { status: 'negated' });
});
