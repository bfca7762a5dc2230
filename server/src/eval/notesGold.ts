/**
 * The clinical-note gold (../shared/notes/gold, GUIDELINES.md): sampled note sentences with their Drug
 * mentions, scored against what the editor marks when the whole note is open.
 *
 * Each gold line is {"id","note","start","end","text","entities":[{"start","end","type","text",
 * "assertion"}],"relations":[...]}: start/end are the sentence's character offsets in its note,
 * entity offsets are within the sentence. The set has no Adverse-Effect relation, so on it every
 * predicted relation is a false alarm; the numbers are Drug precision/recall (strict and overlap),
 * marks per 100 sentences, and the accuracy of the assertion status (present, negated, ...) the editor
 * gives the gold Drug mentions it finds with exact boundaries, per gold class.
 */
import * as fs from 'node:fs';
import { AssertionTagger } from '../assertion/tagger';
import type { AssertionStatus, EntityAnnotation } from '../annotations/types';
import type { SentenceSpan } from '../text/types';
import type { PredictedDocument, PredictedEntity } from './charScore';
import { DataError } from './jsonl';
import { fixed2, prf, Prf } from './metrics';

export const DRUG = 'Drug';
export const ADVERSE_EFFECT = 'Adverse-Effect';
export const MAX_NOTE_EXAMPLES = 30;

export interface NotesGoldEntity {
  start: number; // within the sentence
  end: number;
  type: string;
  text: string;
  assertion?: string;
}
export interface NotesGoldLine {
  id: string;
  note: string; // file name in the notes folder
  start: number; // the sentence's offsets in the note
  end: number;
  text: string;
  entities: NotesGoldEntity[];
  relations: Array<{ head: number; tail: number; type: string }>;
}

const isOffset = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

export function parseNotesGold(content: string, file: string): NotesGoldLine[] {
  const out: NotesGoldLine[] = [];
  content.split(/\r?\n/).forEach((line, n) => {
    if (!line.trim()) return;
    const at = `${file}:${n + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (err) {
      throw new DataError(`${at}: not valid JSON (${(err as Error).message})`);
    }
    const { note, start, end, text } = o ?? {};
    if (typeof note !== 'string' || !note || !isOffset(start) || !isOffset(end) || start >= end || typeof text !== 'string' || text.length !== end - start) {
      throw new DataError(`${at}: expected {"id","note","start","end","text",...} with text as long as end - start`);
    }
    const entities = ((o.entities as unknown[]) ?? []).map((e, i) => {
      const x = (e ?? {}) as NotesGoldEntity;
      if (!isOffset(x.start) || !isOffset(x.end) || x.start >= x.end || x.end > text.length || typeof x.type !== 'string') {
        throw new DataError(`${at}: entity ${i} has a bad span or type: ${JSON.stringify(e)}`);
      }
      if (typeof x.text === 'string' && text.slice(x.start, x.end) !== x.text) {
        throw new DataError(`${at}: entity ${i} says ${JSON.stringify(x.text)} but the sentence has ${JSON.stringify(text.slice(x.start, x.end))} there`);
      }
      return { start: x.start, end: x.end, type: x.type, text: text.slice(x.start, x.end), ...(x.assertion !== undefined ? { assertion: x.assertion } : {}) };
    });
    const relations = ((o.relations as unknown[]) ?? []).map((r, i) => {
      const { head, tail, type } = (r ?? {}) as { head: number; tail: number; type: string };
      if (!isOffset(head) || !isOffset(tail) || head >= entities.length || tail >= entities.length || typeof type !== 'string') {
        throw new DataError(`${at}: relation ${i} points outside the entity list: ${JSON.stringify(r)}`);
      }
      return { head, tail, type };
    });
    out.push({ id: String(o.id ?? at), note, start, end, text, entities, relations });
  });
  return out;
}

export function readNotesGold(file: string): NotesGoldLine[] {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DataError(`notes gold file not found: ${file}`);
  }
  const lines = parseNotesGold(content, file);
  if (lines.length === 0) throw new DataError(`${file} holds no gold sentences`);
  return lines;
}

/** The gold lines grouped by note, in first-seen order. */
export function byNote(lines: readonly NotesGoldLine[]): Map<string, NotesGoldLine[]> {
  const out = new Map<string, NotesGoldLine[]>();
  for (const l of lines) out.set(l.note, [...(out.get(l.note) ?? []), l]);
  return out;
}

/** Every gold sentence must be exactly where it says in its note, or the offsets mean nothing. */
export function checkNote(lines: readonly NotesGoldLine[], noteText: string, notePath: string): void {
  for (const l of lines) {
    if (noteText.slice(l.start, l.end) !== l.text) {
      throw new DataError(`gold sentence ${l.id}: ${notePath} does not hold its text at ${l.start}-${l.end} (found ${JSON.stringify(noteText.slice(l.start, l.end).slice(0, 60))})`);
    }
  }
}

export interface NoteExample {
  note: string;
  sentence: string; // gold line id
  start: number; // offsets in the note
  end: number;
  text: string;
  type: string;
  assertion?: string;
  /** For a strict miss or false positive: whether an overlapping Drug exists on the other side. */
  overlaps: boolean;
}

export interface OverlapScore {
  precision: number;
  recall: number;
  f1: number;
  predicted: number;
  predicted_overlapping_gold: number;
  gold: number;
  gold_overlapped: number;
}

/** A predicted entity as the annotator gives it: with its assertion status (absent: not assessed). */
export type NotesPredictedEntity = PredictedEntity & { assertion?: { status: AssertionStatus; trigger?: { text: string }; section?: string } };

export interface AssertionMiss {
  note: string;
  sentence: string;
  start: number;
  text: string;
  gold: string;
  predicted: string;
  /** The trigger or section that decided the predicted status. */
  because?: string;
}

/** Assertion status of the gold Drug mentions found exactly (strict span match), against their gold status. */
export interface AssertionScore {
  scored: number;
  right: number;
  accuracy: number;
  per_class: Record<string, { gold: number; right: number; accuracy: number }>;
  /** gold status -> predicted status -> count */
  confusion: Record<string, Record<string, number>>;
  errors: AssertionMiss[];
}

export interface NotesReport {
  notes: number;
  sentences: number;
  drug_strict: Prf;
  drug_overlap: OverlapScore;
  gold_drugs: number;
  other_entities: { predicted: number; per_100_sentences: number; by_type: Record<string, number> };
  adverse_effect_relations: { predicted: number; per_100_sentences: number; gold: number };
  relations: { predicted: number; per_100_sentences: number; gold: number; by_type: Record<string, number> };
  assertion: AssertionScore;
  /**
   * ConText alone on every gold Drug span (as if the model found them all), in the editor's
   * segmentation of the whole note: independent of the model's recall. Set when notes carry their text.
   */
  assertion_gold_spans?: AssertionScore & { not_in_one_sentence: number };
  false_positives: NoteExample[];
  false_negatives: NoteExample[];
}

export interface ScoredNote {
  note: string;
  lines: readonly NotesGoldLine[];
  predicted: PredictedDocument & { entities: readonly NotesPredictedEntity[] };
  /** The note's text and the editor's sentences of it (for `assertion_gold_spans`). */
  text?: string;
  sentences?: readonly SentenceSpan[];
}

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/** Predictions whose span lies inside the gold sentences of each note, against their gold. */
export function scoreNotes(notes: readonly ScoredNote[]): NotesReport {
  let sentences = 0;
  let tp = 0, fp = 0, fn = 0;
  const ov = { predicted: 0, predicted_overlapping_gold: 0, gold: 0, gold_overlapped: 0 };
  const others: Record<string, number> = {};
  const relTypes: Record<string, number> = {};
  let goldRelations = 0;
  let goldAe = 0;
  const falsePositives: NoteExample[] = [];
  const falseNegatives: NoteExample[] = [];
  const assertion = new AssertionTally();
  for (const { note, lines, predicted } of notes) {
    for (const line of lines) {
      sentences++;
      const within = (e: PredictedEntity) => line.start <= e.start && e.end <= line.end;
      const gold = line.entities.filter((e) => e.type === DRUG).map((e) => ({ ...e, start: line.start + e.start, end: line.start + e.end }));
      const drugs = new Map<string, NotesPredictedEntity>();
      for (const e of predicted.entities.filter(within)) {
        if (e.type === DRUG) drugs.set(`${e.start}:${e.end}`, e);
        else others[e.type] = (others[e.type] ?? 0) + 1;
      }
      const goldKeys = new Set(gold.map((g) => `${g.start}:${g.end}`));
      const slice = (s: number, e: number) => line.text.slice(s - line.start, e - line.start);
      for (const [key, e] of drugs) {
        const overlapsGold = gold.some((g) => overlap(g, e));
        ov.predicted++;
        if (overlapsGold) ov.predicted_overlapping_gold++;
        if (goldKeys.has(key)) tp++;
        else {
          fp++;
          if (falsePositives.length < MAX_NOTE_EXAMPLES) falsePositives.push({ note, sentence: line.id, start: e.start, end: e.end, text: slice(e.start, e.end), type: DRUG, overlaps: overlapsGold });
        }
      }
      for (const g of gold) {
        const overlapped = [...drugs.values()].some((e) => overlap(g, e));
        ov.gold++;
        if (overlapped) ov.gold_overlapped++;
        const found = drugs.get(`${g.start}:${g.end}`);
        if (found && g.assertion !== undefined) assertion.add({ note, sentence: line.id, start: g.start, text: g.text, gold: g.assertion }, found);
        if (!found) {
          fn++;
          if (falseNegatives.length < MAX_NOTE_EXAMPLES) falseNegatives.push({ note, sentence: line.id, start: g.start, end: g.end, text: g.text, type: DRUG, ...(g.assertion !== undefined ? { assertion: g.assertion } : {}), overlaps: overlapped });
        }
      }
      for (const r of predicted.relations) if (within(r.head) && within(r.tail)) relTypes[r.type] = (relTypes[r.type] ?? 0) + 1;
      goldRelations += line.relations.length;
      goldAe += line.relations.filter((r) => r.type === ADVERSE_EFFECT).length;
    }
  }
  const per100 = (x: number) => (sentences ? (100 * x) / sentences : 0);
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const p = ov.predicted ? ov.predicted_overlapping_gold / ov.predicted : 0;
  const r = ov.gold ? ov.gold_overlapped / ov.gold : 0;
  const ae = relTypes[ADVERSE_EFFECT] ?? 0;
  return {
    notes: notes.length,
    sentences,
    drug_strict: prf(tp, fp, fn),
    drug_overlap: { precision: p, recall: r, f1: p + r ? (2 * p * r) / (p + r) : 0, ...ov },
    gold_drugs: tp + fn,
    other_entities: { predicted: sum(others), per_100_sentences: per100(sum(others)), by_type: others },
    adverse_effect_relations: { predicted: ae, per_100_sentences: per100(ae), gold: goldAe },
    relations: { predicted: sum(relTypes), per_100_sentences: per100(sum(relTypes)), gold: goldRelations, by_type: relTypes },
    assertion: assertion.score(),
    ...(notes.every((n) => n.text !== undefined && n.sentences) ? { assertion_gold_spans: goldSpanAssertions(notes) } : {}),
    false_positives: falsePositives,
    false_negatives: falseNegatives,
  };
}

/** Every gold Drug as an entity of its note, through the same ConText tagger the editor runs. */
function goldSpanAssertions(notes: readonly ScoredNote[]): AssertionScore & { not_in_one_sentence: number } {
  const tally = new AssertionTally();
  const tagger = new AssertionTagger();
  let notInOne = 0;
  for (const { note, lines, text, sentences } of notes) {
    const entities: EntityAnnotation[] = [];
    const golds: Array<Omit<AssertionMiss, 'predicted'>> = [];
    for (const line of lines) {
      for (const g of line.entities) {
        if (g.type !== DRUG || g.assertion === undefined) continue;
        const start = line.start + g.start;
        const end = line.start + g.end;
        const sentence = sentences!.find((s) => s.start <= start && end <= s.end);
        if (!sentence) {
          notInOne++;
          continue;
        }
        entities.push({ id: `G${entities.length}`, type: DRUG, start, end, text: g.text, score: 1, model: 'gold', sentence: sentence.index, assertion: { status: 'present' } });
        golds.push({ note, sentence: line.id, start, text: g.text, gold: g.assertion });
      }
    }
    tagger.tag(text!, sentences!, entities, [], () => true);
    entities.forEach((e, i) => tally.add(golds[i], e));
  }
  return { ...tally.score(), not_in_one_sentence: notInOne };
}

class AssertionTally {
  private scored = 0;
  private right = 0;
  private readonly perClass: Record<string, { gold: number; right: number; accuracy: number }> = {};
  private readonly confusion: Record<string, Record<string, number>> = {};
  private readonly errors: AssertionMiss[] = [];

  add(gold: Omit<AssertionMiss, 'predicted'>, predicted: NotesPredictedEntity): void {
    const status = predicted.assertion?.status ?? 'none';
    const ok = status === gold.gold;
    this.scored++;
    if (ok) this.right++;
    const c = (this.perClass[gold.gold] ??= { gold: 0, right: 0, accuracy: 0 });
    c.gold++;
    if (ok) c.right++;
    c.accuracy = c.right / c.gold;
    const row = (this.confusion[gold.gold] ??= {});
    row[status] = (row[status] ?? 0) + 1;
    const because = predicted.assertion?.trigger?.text ?? predicted.assertion?.section;
    if (!ok && this.errors.length < MAX_NOTE_EXAMPLES) this.errors.push({ ...gold, predicted: status, ...(because ? { because } : {}) });
  }

  score(): AssertionScore {
    return { scored: this.scored, right: this.right, accuracy: this.scored ? this.right / this.scored : 0, per_class: this.perClass, confusion: this.confusion, errors: this.errors };
  }
}

/**
 * `drug_p=.. drug_r=.. drug_f1=.. rel_per_100=.. assertion_acc=..` (strict Drug scores and the assertion
 * accuracy on the Drugs found, in percent; `n/a` when none was found), the last line printed.
 */
export function notesLine(r: NotesReport): string {
  const d = r.drug_strict;
  const a = r.assertion;
  return `drug_p=${fixed2(100 * d.precision)} drug_r=${fixed2(100 * d.recall)} drug_f1=${fixed2(100 * d.f1)} rel_per_100=${fixed2(r.relations.per_100_sentences)} assertion_acc=${a.scored ? fixed2(100 * a.accuracy) : 'n/a'}`;
}
