/**
 * The assertion test set (test/fixtures/assertion/sentences.jsonl, see its README): every line runs
 * through the real segmenter and AssertionTagger as a small document (its section heading, if any,
 * on the line before), and the accuracy per status must reach 95% overall.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRoot } from '../paths';
import type { AssertionStatus, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { ASSERTION_STATUSES } from '../annotations/types';
import { segmentDocument } from '../text/segment';
import { AssertionTagger } from './tagger';

interface Line {
  id: string;
  text: string;
  start: number;
  end: number;
  finding: string;
  type: string;
  status: AssertionStatus;
  covers: string;
  section?: string;
  drug?: { start: number; end: number; text: string };
  relation?: AssertionStatus;
}

const FILE = path.join(extensionRoot, 'test', 'fixtures', 'assertion', 'sentences.jsonl');
const lines: Line[] = fs.readFileSync(FILE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** The line as a document: "<section>\n<text>\n" (Markdown when the section is a '#' heading). */
function run(tagger: AssertionTagger, line: Line): { entity: AssertionStatus; relation?: AssertionStatus; trigger?: string } {
  const markdown = line.section?.startsWith('#') ?? false;
  const prefix = line.section ? `${line.section}${markdown ? '\n\n' : '\n'}` : '';
  const doc = `${prefix}${line.text}\n`;
  const sentences = segmentDocument(doc, markdown ? 'markdown' : 'plaintext');
  const entity = (start: number, end: number, type: string, id: string): EntityAnnotation => {
    const s = prefix.length + start;
    const e = prefix.length + end;
    const sentence = sentences.find((x) => x.start <= s && e <= x.end);
    assert.ok(sentence, `${line.id}: the segmenter cut "${doc.slice(s, e)}" across sentences`);
    return { id, type, start: s, end: e, text: doc.slice(s, e), score: 1, model: 'clinical', sentence: sentence.index, assertion: { status: 'present' } };
  };
  const finding = entity(line.start, line.end, line.type, 'T1');
  const entities = [finding];
  const relations: RelationAnnotation[] = [];
  if (line.drug) {
    const drug = entity(line.drug.start, line.drug.end, 'Drug', 'T2');
    entities.push(drug);
    relations.push({ id: 'R1', type: 'Adverse-Effect', head: finding, tail: drug, score: 1, model: 'clinical', sentence: finding.sentence, symmetric: false, assertion: { status: 'present' } });
  }
  tagger.tag(doc, sentences, entities, relations, () => true);
  return { entity: finding.assertion.status, relation: relations[0]?.assertion.status, trigger: finding.assertion.trigger?.text ?? finding.assertion.section };
}

test('the test set is well formed and covers every status and every kind of case', () => {
  assert.ok(lines.length >= 150, `${lines.length} lines`);
  assert.equal(new Set(lines.map((l) => l.id)).size, lines.length, 'ids are unique');
  for (const l of lines) {
    assert.equal(l.text.slice(l.start, l.end), l.finding, l.id);
    assert.ok((ASSERTION_STATUSES as readonly string[]).includes(l.status), l.id);
    if (l.drug) assert.equal(l.text.slice(l.drug.start, l.drug.end), l.drug.text, l.id);
  }
  for (const s of ASSERTION_STATUSES) assert.ok(lines.filter((l) => l.status === s).length >= 15, `at least 15 lines expect ${s}`);
  for (const kind of ['trigger-before', 'trigger-after', 'scope-end', 'pseudo', 'double-negation', 'list', 'capitalisation', 'section', 'relation']) {
    assert.ok(lines.filter((l) => l.covers === kind).length >= 5, `at least 5 lines of kind ${kind}`);
  }
});

test('ConText gets at least 95% of the test set right (accuracy per class printed)', (t) => {
  const tagger = new AssertionTagger();
  const perClass = new Map<string, { right: number; all: number }>();
  const perKind = new Map<string, { right: number; all: number }>();
  const count = (m: Map<string, { right: number; all: number }>, key: string, right: boolean) => {
    const c = m.get(key) ?? { right: 0, all: 0 };
    c.all++;
    if (right) c.right++;
    m.set(key, c);
  };
  const misses: string[] = [];
  let relationsRight = 0;
  let relationsAll = 0;
  for (const line of lines) {
    const got = run(tagger, line);
    const right = got.entity === line.status;
    count(perClass, line.status, right);
    count(perKind, line.covers, right);
    if (!right) misses.push(`${line.id} expected ${line.status}, got ${got.entity}${got.trigger ? ` ('${got.trigger}')` : ''}: ${line.section ?? ''} ${line.text} [${line.finding}]`);
    if (line.relation) {
      relationsAll++;
      if (got.relation === line.relation) relationsRight++;
      else misses.push(`${line.id} relation expected ${line.relation}, got ${got.relation}: ${line.text}`);
    }
  }
  const pct = (c: { right: number; all: number }) => `${((100 * c.right) / c.all).toFixed(1)}% (${c.right}/${c.all})`;
  const right = [...perClass.values()].reduce((s, c) => s + c.right, 0);
  t.diagnostic(`overall ${pct({ right, all: lines.length })}; relations ${pct({ right: relationsRight, all: relationsAll })}`);
  for (const s of ASSERTION_STATUSES) if (perClass.has(s)) t.diagnostic(`${s}: ${pct(perClass.get(s)!)}`);
  for (const [kind, c] of perKind) t.diagnostic(`kind ${kind}: ${pct(c)}`);
  for (const m of misses) t.diagnostic(`miss ${m}`);
  assert.ok(right / lines.length >= 0.95, `accuracy ${pct({ right, all: lines.length })}:\n${misses.join('\n')}`);
  assert.ok(relationsRight / relationsAll >= 0.95, `relation accuracy ${pct({ right: relationsRight, all: relationsAll })}`);
});
