/**
 * What `erlens eval` prints on the terminal: a few human lines above the machine-readable last line
 * (the headline, or the notes line). The JSON report holds the full detail.
 */
import { falseAlarmLine } from './falseAlarms';
import { headlineLine, ScoreReport } from './metrics';
import { AssertionScore, NotesReport, notesLine } from './notesGold';
import type { RawEvaluation } from './rawReport';

const pct = (x: number) => (100 * x).toFixed(2).padStart(6);

/** NER / RE strict / RE boundary: P, R, F1 and macro-F1, one row each. */
export function scoreRows(r: ScoreReport): string {
  const row = (name: string, t: ScoreReport['ner']) => `${name.padEnd(12)} P ${pct(t.micro.precision)}  R ${pct(t.micro.recall)}  F1 ${pct(t.micro.f1)}  macro-F1 ${pct(t.macro_f1)}\n`;
  return row('NER', r.ner) + row('RE strict', r.re_strict) + row('RE boundary', r.re_boundary);
}

export function rawSummary(header: string, e: RawEvaluation): string {
  const u = e.unrepresentable;
  const c = e.crossing_sentences;
  return (
    `${header}\n` +
    scoreRows(e.report) +
    `gold the editor's segmentation cannot express: ${u.entities} of ${e.gold_entities} entities off token boundaries (${u.trailing_period} before a period kept on the word; ${u.relations} relations touch them); ` +
    `split by editor sentences: ${c.entities} entities, ${c.relations} of ${e.gold_relations} relations\n` +
    `${e.merged_sentences} of ${e.report.sentences} gold sentences share an editor sentence with another; ${e.ends_with_split_period} gold entities end in a period the editor splits off\n` +
    (e.ends_with_split_period ? `with those ${e.ends_with_split_period} scored without the period: ${headlineLine(e.report_periods_trimmed)}\n` : '') +
    `${falseAlarmLine(e.false_alarms)}\n` +
    headlineLine(e.report) +
    '\n'
  );
}

const perClass = (a: AssertionScore) => Object.entries(a.per_class).sort((x, y) => y[1].gold - x[1].gold).map(([s, c]) => `${s} ${c.right}/${c.gold}`).join(', ');

/** "assertion on the 40 gold Drugs found exactly: 92.50% right (present 36/37, ...); ConText alone on all 49 gold Drug spans: ...". */
function assertionLine(r: NotesReport): string {
  const a = r.assertion;
  const found = a.scored ? `assertion on the ${a.scored} gold Drugs found exactly: ${pct(a.accuracy).trim()}% right (${perClass(a)})` : 'assertion: no gold Drug with a status was found exactly';
  const all = r.assertion_gold_spans;
  const oracle = all?.scored ? `; ConText alone on all ${all.scored} gold Drug spans: ${pct(all.accuracy).trim()}% (${perClass(all)})` : '';
  return `${found}${oracle}\n`;
}

export function notesSummary(header: string, r: NotesReport): string {
  const o = r.drug_overlap;
  const others = Object.entries(r.other_entities.by_type).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
  return (
    `${header}\n` +
    `Drug strict  P ${pct(r.drug_strict.precision)}  R ${pct(r.drug_strict.recall)}  F1 ${pct(r.drug_strict.f1)}  (${r.drug_strict.tp} of ${r.gold_drugs} gold, ${r.drug_strict.fp} false positives)\n` +
    `Drug overlap P ${pct(o.precision)}  R ${pct(o.recall)}  F1 ${pct(o.f1)}\n` +
    `per 100 sentences: ${r.other_entities.per_100_sentences.toFixed(2)} entities of other types (${others}), ` +
    `${r.adverse_effect_relations.per_100_sentences.toFixed(2)} Adverse-Effect relations, ${r.relations.per_100_sentences.toFixed(2)} relations in all (gold: ${r.relations.gold})\n` +
    assertionLine(r) +
    notesLine(r) +
    '\n'
  );
}
