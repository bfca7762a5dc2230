/**
 * Label Studio tasks with predictions (https://labelstud.io/guide/predictions): one task per document,
 * `data.text` the document's text, one prediction whose `result` holds a `labels` region per entity and a
 * `relation` item per relation, ready to import for review and correction. The labelling config the
 * project needs is `labelStudioConfig(types)` (docs/export-formats.md has the one for the shipped models).
 *
 * Offsets: Label Studio's text regions count JavaScript string positions (UTF-16 code units), which are
 * ERlens' own `start`/`end`.
 */
import type { DocumentAnnotations } from '../annotations/types';
import type { ExportDocument } from './exportDocument';

/** The names the labelling config and the regions share. */
export const LABEL_STUDIO_NAMES = { labels: 'label', text: 'text' } as const;

export interface LabelStudioRegion {
  id: string;
  from_name: string;
  to_name: string;
  type: 'labels';
  value: { start: number; end: number; text: string; labels: string[] };
  score: number;
  meta: { text: string[] };
}

export interface LabelStudioRelation {
  from_id: string;
  to_id: string;
  type: 'relation';
  direction: 'right';
  labels: string[];
}

export interface LabelStudioTask {
  data: { text: string; uri: string };
  predictions: { model_version: string; score: number; result: (LabelStudioRegion | LabelStudioRelation)[] }[];
}

function task({ annotations: a, text }: ExportDocument): LabelStudioTask {
  const regions: LabelStudioRegion[] = a.entities.map((e) => ({
    id: e.id,
    from_name: LABEL_STUDIO_NAMES.labels,
    to_name: LABEL_STUDIO_NAMES.text,
    type: 'labels',
    value: { start: e.start, end: e.end, text: text.slice(e.start, e.end), labels: [e.type] },
    score: e.score,
    meta: { text: [`assertion: ${e.assertion.status}`, `model: ${e.model}`] },
  }));
  const relations: LabelStudioRelation[] = a.relations.map((r) => ({ from_id: r.head.id, to_id: r.tail.id, type: 'relation', direction: 'right', labels: [r.type] }));
  const scores = a.entities.map((e) => e.score);
  const score = scores.length ? scores.reduce((x, y) => x + y, 0) / scores.length : 0;
  return { data: { text, uri: a.uri }, predictions: [{ model_version: a.stats.models.join('+') || 'erlens', score, result: [...regions, ...relations] }] };
}

export function toLabelStudio(docs: readonly ExportDocument[]): string {
  return JSON.stringify(docs.map(task), null, 2) + '\n';
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The labelling config a Label Studio project needs for these documents' entity and relation types. */
export function labelStudioConfig(annotations: readonly DocumentAnnotations[]): string {
  const entities = [...new Set(annotations.flatMap((a) => a.entities.map((e) => e.type)))].sort();
  const relations = [...new Set(annotations.flatMap((a) => a.relations.map((r) => r.type)))].sort();
  return [
    '<View>',
    '  <Relations>',
    ...relations.map((r) => `    <Relation value="${xml(r)}"/>`),
    '  </Relations>',
    `  <Labels name="${LABEL_STUDIO_NAMES.labels}" toName="${LABEL_STUDIO_NAMES.text}">`,
    ...entities.map((e) => `    <Label value="${xml(e)}"/>`),
    '  </Labels>',
    `  <Text name="${LABEL_STUDIO_NAMES.text}" value="$text"/>`,
    '</View>',
    '',
  ].join('\n');
}
