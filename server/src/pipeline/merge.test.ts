import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mergeSentence, type ModelResult } from './merge';
import { tokenizeWords } from '../text/wordTokenizer';
import type { SentenceResult } from '../decoders/types';

const text = 'I think he should stay on MiraLax with XXXX in Boston .';
const tokens = tokenizeWords(text);
const word = (w: string) => tokens.findIndex((t) => t.text === w);
const span = (w: string, type: string, score: number) => ({ start: word(w), end: word(w) + 1, type, score });
const none = new Set<string>();
const result = (model: string, r: SentenceResult): ModelResult => ({ model, symmetric: none, result: r });
const shown = (m: ReturnType<typeof mergeSentence>) => m.entities.map((e) => `${e.text}:${e.type}:${e.model}`);

test('two models, one span, two types: the higher score wins and the loser takes its relations along', () => {
  const clinical = result('clinical', { entities: [span('MiraLax', 'Drug', 0.9), span('XXXX', 'Drug', 0.7)], relations: [] });
  const news = result('news', {
    entities: [span('MiraLax', 'Loc', 0.6), span('XXXX', 'Loc', 0.95), span('Boston', 'Loc', 0.99)],
    relations: [{ head: 1, tail: 2, type: 'Located_In', score: 0.9 }, { head: 0, tail: 2, type: 'Located_In', score: 0.8 }],
  });
  const merged = mergeSentence(text, tokens, 0, [clinical, news]);
  assert.deepEqual(shown(merged), ['MiraLax:Drug:clinical', 'XXXX:Loc:news', 'Boston:Loc:news']);
  // the relation from the losing "MiraLax" Loc is gone; the winner's stays
  assert.deepEqual(merged.relations.map((r) => `${r.head.text} ${r.type} ${r.tail.text}`), ['XXXX Located_In Boston']);
  // the order the models ran in does not change who wins
  assert.deepEqual(shown(mergeSentence(text, tokens, 0, [news, clinical])), shown(merged));
});

test("overlapping spans of two models conflict too; one model's own overlaps and agreeing models stay", () => {
  const wide = { start: word('MiraLax'), end: word('XXXX') + 1, type: 'Org', score: 0.8 };
  const a = result('a', { entities: [span('MiraLax', 'Drug', 0.7), span('XXXX', 'Drug', 0.9)], relations: [] });
  const b = result('b', { entities: [wide], relations: [] });
  // "MiraLax with XXXX" (Org, 0.8) beats "MiraLax" (Drug, 0.7) but loses to "XXXX" (Drug, 0.9): the strongest decides first
  assert.deepEqual(shown(mergeSentence(text, tokens, 0, [a, b])), ['MiraLax:Drug:a', 'XXXX:Drug:a']);

  const own = result('a', { entities: [wide, span('XXXX', 'Drug', 0.9)], relations: [] });
  assert.deepEqual(shown(mergeSentence(text, tokens, 0, [own])), ['MiraLax with XXXX:Org:a', 'XXXX:Drug:a'], 'one model: its own decision');

  // both models agree on "XXXX" Drug; b also calls "MiraLax with XXXX" Org: b produced both, so no conflict
  const b2 = result('b', { entities: [wide, span('XXXX', 'Drug', 0.5)], relations: [] });
  const agreeing = mergeSentence(text, tokens, 0, [result('a', { entities: [span('XXXX', 'Drug', 0.9)], relations: [] }), b2]);
  assert.deepEqual(shown(agreeing), ['MiraLax with XXXX:Org:b', 'XXXX:Drug:a']);
});

test('same span and type from two models: one entity with the higher score', () => {
  const merged = mergeSentence(text, tokens, 0, [
    result('a', { entities: [span('Boston', 'Loc', 0.6)], relations: [] }),
    result('b', { entities: [span('Boston', 'Loc', 0.8)], relations: [] }),
  ]);
  assert.deepEqual(merged.entities.map((e) => [e.text, e.score, e.model]), [['Boston', 0.8, 'b']]);
});
