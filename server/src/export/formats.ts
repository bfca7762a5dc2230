/**
 * Annotations -> export formats: JSON, JSONL triples, CSV, RDF N-Triples, brat standoff, and the task
 * formats of annotation tools (Label Studio: labelStudio.ts, Prodigy: prodigy.ts, INCEpTION: uimaCas.ts).
 * docs/export-formats.md documents every field and both offset kinds.
 *
 * Offsets: `start`/`end` are UTF-16 code units into the document text (what VS Code, LSP and
 * JavaScript count); `startCodePoint`/`endCodePoint` are Unicode code points (what Python counts).
 * brat uses code points only, CSV uses UTF-16 only (its columns are fixed).
 *
 * Every entity and relation carries its assertion status (present, negated, ...): a field in JSON and
 * JSONL, a CSV column, a brat attribute (with the annotation.conf brat needs), an RDF property; in RDF
 * a relation that is not stated as having happened is written only as its reified statement.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Assertion, AssertionStatus, DocumentAnnotations, EntityAnnotation, RelationAnnotation } from '../annotations/types';
import { ASSERTION_STATUSES } from '../annotations/types';
import * as fs from 'node:fs';
import { writeFilesAtomic } from './atomicWrite';
import type { FileContent } from './atomicWrite';
import { addTypes, BRAT_ATTRIBUTES, BRAT_CONFIG_FILE, bratType, emptyTypes, parseOwnConfig, renderConfig } from './bratConfig';
import { CodePointIndex } from './codePoints';
import type { ExportDocument } from './exportDocument';
import { labelStudioConfig, toLabelStudio } from './labelStudio';
import { toProdigy } from './prodigy';
import { toUimaCasJson } from './uimaCas';

import type { ExportFormat } from './formatNames';

export { EXPORT_FORMATS, FILE_EXTENSIONS, isExportFormat } from './formatNames';
import { FILE_EXTENSIONS } from './formatNames';
export type { ExportFormat };

export type { ExportDocument };

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------- JSON

/** The trigger that set an assertion status, with both offset kinds. */
export interface JsonTrigger {
  text: string;
  start: number;
  end: number;
  startCodePoint: number;
  endCodePoint: number;
}
/** The assertion fields of an entity or relation: the status, and what set it when something did. */
export interface JsonAssertion {
  assertion: AssertionStatus;
  assertionTrigger?: JsonTrigger;
  assertionSection?: string;
}
export interface JsonEntity extends JsonAssertion {
  id: string;
  type: string;
  start: number;
  end: number;
  startCodePoint: number;
  endCodePoint: number;
  text: string;
  score: number;
  model: string;
  sentence: number;
}
export interface JsonRelation extends JsonAssertion {
  id: string;
  type: string;
  head: number; // index into the document's entities
  tail: number;
  headId: string;
  tailId: string;
  score: number;
  model: string;
  sentence: number;
  symmetric: boolean;
}
export interface JsonDocument {
  uri: string;
  sha256: string;
  length: number; // UTF-16 code units
  models: string[];
  skipped?: string;
  entities: JsonEntity[];
  relations: JsonRelation[];
}

export function assertionFields(a: Assertion, cp: CodePointIndex): JsonAssertion {
  const out: JsonAssertion = { assertion: a.status };
  if (a.trigger) out.assertionTrigger = { text: a.trigger.text, start: a.trigger.start, end: a.trigger.end, startCodePoint: cp.toCodePoint(a.trigger.start), endCodePoint: cp.toCodePoint(a.trigger.end) };
  if (a.section) out.assertionSection = a.section;
  return out;
}

/** One document in the JSON shape (also what `erlens extract --format json` prints). */
export function documentToJson(doc: ExportDocument): JsonDocument {
  const { annotations: a, text } = doc;
  const cp = new CodePointIndex(text);
  const index = new Map<EntityAnnotation, number>(a.entities.map((e, i) => [e, i]));
  return {
    uri: a.uri,
    sha256: sha256Text(text),
    length: text.length,
    models: a.stats.models,
    ...(a.skipped ? { skipped: a.skipped } : {}),
    entities: a.entities.map((e) => ({
      id: e.id,
      type: e.type,
      start: e.start,
      end: e.end,
      startCodePoint: cp.toCodePoint(e.start),
      endCodePoint: cp.toCodePoint(e.end),
      text: e.text,
      score: round(e.score),
      model: e.model,
      sentence: e.sentence,
      ...assertionFields(e.assertion, cp),
    })),
    relations: a.relations.map((r) => ({
      id: r.id,
      type: r.type,
      head: index.get(r.head)!,
      tail: index.get(r.tail)!,
      headId: r.head.id,
      tailId: r.tail.id,
      score: round(r.score),
      model: r.model,
      sentence: r.sentence,
      symmetric: r.symmetric,
      ...assertionFields(r.assertion, cp),
    })),
  };
}

export function toJson(docs: readonly ExportDocument[]): string {
  return JSON.stringify({ format: 'erlens-annotations', version: 1, offsets: 'start/end: UTF-16 code units; startCodePoint/endCodePoint: Unicode code points', documents: docs.map(documentToJson) }, null, 2) + '\n';
}

// --------------------------------------------------------------------------------------------- JSONL

function argument(e: EntityAnnotation, cp: CodePointIndex) {
  return { text: e.text, type: e.type, start: e.start, end: e.end, startCodePoint: cp.toCodePoint(e.start), endCodePoint: cp.toCodePoint(e.end), assertion: e.assertion.status };
}

/** One relation triple per line. */
export function toJsonl(docs: readonly ExportDocument[]): string {
  const lines: string[] = [];
  for (const { annotations: a, text } of docs) {
    const cp = new CodePointIndex(text);
    for (const r of a.relations) {
      lines.push(JSON.stringify({ subject: argument(r.head, cp), relation: r.type, object: argument(r.tail, cp), score: round(r.score), model: r.model, source: a.uri, sentence: r.sentence, ...assertionFields(r.assertion, cp) }));
    }
  }
  return lines.map((l) => l + '\n').join('');
}

// ----------------------------------------------------------------------------------------------- CSV

export const CSV_COLUMNS = [
  'subject', 'predicate', 'object', 'subject_type', 'object_type', 'subject_start', 'subject_end', 'object_start', 'object_end', 'confidence', 'source_uri', 'sentence_index',
  'assertion', 'assertion_trigger',
] as const;

/** The trigger's text, or `section: <heading>` when a section default set the status; empty otherwise. */
function assertionCue(a: Assertion): string {
  return a.trigger?.text ?? (a.section ? `section: ${a.section}` : '');
}

/** RFC 4180: quote a field that holds a comma, quote, CR or LF; double the quotes inside. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(docs: readonly ExportDocument[]): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const { annotations: a } of docs) {
    for (const r of a.relations) {
      rows.push(
        [r.head.text, r.type, r.tail.text, r.head.type, r.tail.type, r.head.start, r.head.end, r.tail.start, r.tail.end, round(r.score), a.uri, r.sentence, r.assertion.status, assertionCue(r.assertion)].map(csvField).join(','),
      );
    }
  }
  return rows.map((r) => r + '\r\n').join('');
}

// ---------------------------------------------------------------------------------------- N-Triples

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';

/** The `urn:erlens:` scheme (docs/export-formats.md). Names are percent-encoded, so any type is a valid IRI. */
export const urn = {
  document: (sha: string) => `urn:erlens:doc:${sha}`,
  entity: (sha: string, e: EntityAnnotation, cp: CodePointIndex) => `urn:erlens:doc:${sha}:entity:${cp.toCodePoint(e.start)}-${cp.toCodePoint(e.end)}:${encodeURIComponent(e.type)}`,
  relationStatement: (sha: string, r: RelationAnnotation) => `urn:erlens:doc:${sha}:relation:${r.id}`,
  relationType: (type: string) => `urn:erlens:relation:${encodeURIComponent(type)}`,
  entityType: (type: string) => `urn:erlens:type:${encodeURIComponent(type)}`,
  property: (name: string) => `urn:erlens:property:${name}`,
};

/** An N-Triples string literal: backslash, quote, CR, LF escaped; other controls as \uXXXX. */
export function ntLiteral(s: string): string {
  const body = s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    }
  });
  // A lone surrogate cannot be written as UTF-8; it becomes U+FFFD rather than an invalid file.
  return `"${body.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')}"`;
}

const iri = (s: string) => `<${s}>`;

/**
 * A plain RDF triple asserts its content. Only relations the text states as having happened (present,
 * historical) are written as one; the others (negated, possible, hypothetical, family) only as their
 * reified rdf:Statement, which describes the claim without asserting it.
 */
export function assertsRelation(status: AssertionStatus): boolean {
  return status === 'present' || status === 'historical';
}
const typed = (v: number | string, type: string) => `${ntLiteral(String(v))}^^<${XSD}${type}>`;

export function toNTriples(docs: readonly ExportDocument[]): string {
  const out: string[] = [];
  const t = (s: string, p: string, o: string) => out.push(`${s} ${p} ${o} .`);
  for (const { annotations: a, text } of docs) {
    const sha = sha256Text(text);
    const cp = new CodePointIndex(text);
    const doc = iri(urn.document(sha));
    t(doc, iri(urn.property('source')), ntLiteral(a.uri));
    const ids = new Map<EntityAnnotation, string>();
    for (const e of a.entities) {
      const s = iri(urn.entity(sha, e, cp));
      ids.set(e, s);
      t(s, iri(RDF_TYPE), iri(urn.entityType(e.type)));
      t(s, iri(urn.property('text')), ntLiteral(e.text));
      t(s, iri(urn.property('document')), doc);
      t(s, iri(urn.property('startCodePoint')), typed(cp.toCodePoint(e.start), 'integer'));
      t(s, iri(urn.property('endCodePoint')), typed(cp.toCodePoint(e.end), 'integer'));
      t(s, iri(urn.property('start')), typed(e.start, 'integer'));
      t(s, iri(urn.property('end')), typed(e.end, 'integer'));
      t(s, iri(urn.property('score')), typed(round(e.score), 'double'));
      t(s, iri(urn.property('model')), ntLiteral(e.model));
      assertionTriples(s, e.assertion, t);
    }
    for (const r of a.relations) {
      const subj = ids.get(r.head)!;
      const obj = ids.get(r.tail)!;
      const pred = iri(urn.relationType(r.type));
      if (assertsRelation(r.assertion.status)) t(subj, pred, obj);
      // The score belongs to the statement, so it is said about a reified copy of it.
      const st = iri(urn.relationStatement(sha, r));
      t(st, iri(RDF_TYPE), iri(RDF + 'Statement'));
      t(st, iri(RDF + 'subject'), subj);
      t(st, iri(RDF + 'predicate'), pred);
      t(st, iri(RDF + 'object'), obj);
      t(st, iri(urn.property('score')), typed(round(r.score), 'double'));
      t(st, iri(urn.property('model')), ntLiteral(r.model));
      t(st, iri(urn.property('sentence')), typed(r.sentence, 'integer'));
      assertionTriples(st, r.assertion, t);
    }
  }
  return out.map((l) => l + '\n').join('');
}

/** `assertion` (the status) and, when one set it, `assertionTrigger` / `assertionSection` literals. */
function assertionTriples(subject: string, a: Assertion, t: (s: string, p: string, o: string) => void): void {
  t(subject, iri(urn.property('assertion')), ntLiteral(a.status));
  if (a.trigger) t(subject, iri(urn.property('assertionTrigger')), ntLiteral(a.trigger.text));
  if (a.section) t(subject, iri(urn.property('assertionSection')), ntLiteral(a.section));
}

// ---------------------------------------------------------------------------------------------- brat

/**
 * brat standoff: `T` lines with code-point offsets (an entity that crosses a line break is written as
 * fragments, as brat requires), an `A` line per entity whose assertion status is not present
 * (`A1\tNegated T3`), `R` lines, and the scores (and a relation's status) as AnnotatorNotes. The
 * `.txt` is the exact text the offsets count in.
 */
export function toBrat(doc: ExportDocument): { ann: string; txt: string } {
  const { annotations: a, text } = doc;
  const cp = new CodePointIndex(text);
  const lines: string[] = [];
  const tIds = new Map<EntityAnnotation, string>();
  let note = 0;
  let attribute = 0;
  a.entities.forEach((e, i) => {
    const id = `T${i + 1}`;
    tIds.set(e, id);
    const fragments: Array<[number, number]> = [];
    const re = /[^\r\n]+/g;
    const slice = text.slice(e.start, e.end);
    for (let m = re.exec(slice); m; m = re.exec(slice)) fragments.push([e.start + m.index, e.start + m.index + m[0].length]);
    const spans = fragments.map(([s, en]) => `${cp.toCodePoint(s)} ${cp.toCodePoint(en)}`).join(';');
    const shown = fragments.map(([s, en]) => text.slice(s, en)).join(' ');
    lines.push(`${id}\t${bratType(e.type)} ${spans}\t${shown}`);
    lines.push(`#${++note}\tAnnotatorNotes ${id}\tscore=${round(e.score)} model=${e.model}`);
    if (e.assertion.status !== 'present') lines.push(`A${++attribute}\t${BRAT_ATTRIBUTES[e.assertion.status]} ${id}`);
  });
  a.relations.forEach((r, i) => {
    const id = `R${i + 1}`;
    lines.push(`${id}\t${bratType(r.type)} Arg1:${tIds.get(r.head)} Arg2:${tIds.get(r.tail)}`);
    lines.push(`#${++note}\tAnnotatorNotes ${id}\tscore=${round(r.score)} model=${r.model} assertion=${r.assertion.status}`);
  });
  return { ann: lines.map((l) => l + '\n').join(''), txt: text };
}

// ---------------------------------------------------------------------------------------- rendering

export function render(docs: readonly ExportDocument[], format: Exclude<ExportFormat, 'brat' | 'inception'>): string {
  switch (format) {
    case 'labelstudio':
      return toLabelStudio(docs);
    case 'prodigy':
      return toProdigy(docs);
    case 'json':
      return toJson(docs);
    case 'jsonl':
      return toJsonl(docs);
    case 'csv':
      return toCsv(docs);
    case 'ntriples':
      return toNTriples(docs);
  }
}


/** Written beside a Label Studio export: the project's labelling config for its types. */
export const LABEL_STUDIO_CONFIG_FILE = 'label-studio-config.xml';

/** A file name stem for a document: its file name without extension, or a stable hash of its uri. */
/** A URI's path for naming files: percent-decoded where that is valid (`untitled:100% done` is not). */
function uriPath(uri: string): string {
  const raw = uri.replace(/^file:\/\//, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function stemOf(doc: ExportDocument): string {
  const source = doc.path ?? uriPath(doc.annotations.uri);
  const base = path.basename(source).replace(/\.[^.]+$/, '');
  return base.replace(/[^\p{L}\p{N}._-]+/gu, '_') || `doc-${sha256Text(doc.annotations.uri).slice(0, 12)}`;
}

/** Each document with a file name stem no other document of the export has. */
function uniqueStems(docs: readonly ExportDocument[]): [ExportDocument, string][] {
  const used = new Set<string>();
  return docs.map((doc) => {
    let stem = stemOf(doc);
    for (let n = 2; used.has(stem); n++) stem = `${stemOf(doc)}-${n}`;
    used.add(stem);
    return [doc, stem];
  });
}

/**
 * The files of `docs` in `format`. For brat, `target` is a folder and every document gets a
 * `<stem>.txt` + `<stem>.ann` pair (stems made unique), with the folder's annotation.conf
 * (bratConfig.ts); otherwise `target` is the file.
 */
export function planExport(docs: readonly ExportDocument[], format: ExportFormat, target: string): FileContent[] {
  if (format === 'labelstudio') {
    const config = { file: path.join(path.dirname(target), LABEL_STUDIO_CONFIG_FILE), data: labelStudioConfig(docs.map((d) => d.annotations)) };
    return [{ file: target, data: render(docs, format) }, config];
  }
  if (format === 'inception') return uniqueStems(docs).map(([doc, stem]) => ({ file: path.join(target, `${stem}${FILE_EXTENSIONS.inception}`), data: toUimaCasJson(doc) }));
  if (format !== 'brat') return [{ file: target, data: render(docs, format) }];
  const files: FileContent[] = [];
  for (const [doc, stem] of uniqueStems(docs)) {
    const { ann, txt } = toBrat(doc);
    files.push({ file: path.join(target, `${stem}.txt`), data: txt }, { file: path.join(target, `${stem}.ann`), data: ann });
  }
  const conf = bratConfigFile(docs, target);
  if (conf) files.push(conf);
  return files;
}

/** Writes `docs` in `format`, all files or none (atomicWrite.ts). Returns the files written. */
export async function writeExport(docs: readonly ExportDocument[], format: ExportFormat, target: string): Promise<string[]> {
  const files = planExport(docs, format, target);
  await writeFilesAtomic(files);
  return files.map((f) => f.file);
}

/** annotation.conf for the folder: ours merged with the documents' types; someone else's is kept. */
function bratConfigFile(docs: readonly ExportDocument[], folder: string): FileContent | undefined {
  const file = path.join(folder, BRAT_CONFIG_FILE);
  let types = emptyTypes();
  if (fs.existsSync(file)) {
    const own = parseOwnConfig(fs.readFileSync(file, 'utf8'));
    if (!own) return undefined;
    types = own;
  }
  for (const doc of docs) addTypes(types, doc.annotations);
  return { file, data: renderConfig(types) };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
