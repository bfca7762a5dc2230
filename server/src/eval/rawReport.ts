/**
 * Everything raw-text evaluation reports about a set of gold documents and the editor's annotations
 * of them: the strict scores on character offsets, the false-alarm rates, the gold the editor's
 * segmentation cannot express, and the predictions that cross gold sentences.
 */
import type { DocumentAnnotations } from '../annotations/types';
import type { GoldDocument } from './charGold';
import { CrossingPredictions, scoreDocuments } from './charScore';
import { FalseAlarms, falseAlarms } from './falseAlarms';
import type { ScoreReport } from './metrics';
import { checkRepresentability, emptyRepresentability, Representability } from './representability';

export interface RawEvaluation extends Representability {
  report: ScoreReport;
  /**
   * The same, with every gold entity that ends in a period the editor splits off ("Kosovo." where
   * CoNLL04 glued the sentence's full stop to the last word) scored without that period: the issue's
   * "reported separately" view; `ends_with_split_period` says how many there are.
   */
  report_periods_trimmed: ScoreReport;
  false_alarms: FalseAlarms;
  crossing_predictions: CrossingPredictions;
  /** Sentences the editor's segmentation found (gold has `report.sentences`). */
  editor_sentences: number;
  gold_entities: number;
  gold_relations: number;
}

export function rawEvaluation(docs: readonly GoldDocument[], annotations: readonly DocumentAnnotations[], symmetricTypes: ReadonlySet<string>): RawEvaluation {
  if (docs.length !== annotations.length) throw new Error(`${docs.length} documents but ${annotations.length} annotation sets`);
  const scored = scoreDocuments(docs.map((gold, i) => ({ gold, predicted: annotations[i] })), symmetricTypes);
  const trimmed = scoreDocuments(docs.map((gold, i) => ({ gold: trimSplitPeriods(gold, annotations[i]), predicted: annotations[i] })), symmetricTypes);
  const representability = emptyRepresentability();
  docs.forEach((d, i) => checkRepresentability(d, annotations[i].sentences, representability));
  return {
    report: scored.report,
    report_periods_trimmed: trimmed.report,
    false_alarms: falseAlarms(scored.predicted),
    crossing_predictions: scored.crossing_predictions,
    editor_sentences: annotations.reduce((s, a) => s + a.sentences.length, 0),
    gold_entities: docs.reduce((s, d) => s + d.entities.length, 0),
    gold_relations: docs.reduce((s, d) => s + d.relations.length, 0),
    ...representability,
  };
}

/** Gold entities ending in a "." that the editor tokenised on its own lose that period. */
export function trimSplitPeriods(doc: GoldDocument, annotations: DocumentAnnotations): GoldDocument {
  const periodTokens = new Set<number>();
  for (const s of annotations.sentences) for (const t of s.tokens) if (t.text === '.') periodTokens.add(t.start);
  let changed = false;
  const entities = doc.entities.map((e) => {
    if (e.end - e.start > 1 && doc.text[e.end - 1] === '.' && periodTokens.has(e.end - 1)) {
      changed = true;
      return { ...e, end: e.end - 1 };
    }
    return e;
  });
  return changed ? { ...doc, entities } : doc;
}
