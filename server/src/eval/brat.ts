/**
 * brat standoff gold in and out: `X.txt` (or `X.md`) + `X.ann` <-> GoldDocument.
 *
 * Read: `T1\tType start end\ttext` (a discontinuous `a b;c d` span becomes the span covering its
 * fragments, as the editor only marks contiguous text) and `R1\tType Arg1:T1 Arg2:T2` (Arg1 is the
 * head); other lines (events, attributes, notes) are ignored. brat counts code points, the editor
 * UTF-16 units; offsets are converted both ways. Scoring units are the text's non-blank lines, brat's
 * own convention of one sentence per line, so a document written by `eval --layout lines
 * --write-brat` reads back with the same units it was scored with.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../export/atomicWrite';
import { CodePointIndex } from '../export/codePoints';
import { isBlank, splitLines } from '../text/lines';
import { languageOfPath } from '../workspace/proseFiles';
import type { CharEntity, CharRelation, GoldDocument, GoldUnit } from './charGold';
import { DataError } from './jsonl';

const TEXT_EXTENSIONS = ['.txt', '.md', '.markdown'];

/** Code point offset -> UTF-16 offset, for offsets 0..(number of code points). */
function codePointToUtf16(text: string): (cp: number) => number | undefined {
  const offsets: number[] = [];
  let i = 0;
  for (const ch of text) offsets.push(i), (i += ch.length);
  offsets.push(i);
  return (cp) => offsets[cp];
}

/** The non-blank lines of `text`, one unit each. */
export function lineUnits(text: string, name: string): GoldUnit[] {
  return splitLines(text)
    .map((line, n) => ({ line, n }))
    .filter(({ line }) => !isBlank(text, line))
    .map(({ line, n }) => ({ id: `${name}:${n + 1}`, start: line.start, end: line.end }));
}

const T_LINE = /^(T\S*)\t(\S+) ([0-9]+ [0-9]+(?:;[0-9]+ [0-9]+)*)(?:\t(.*))?$/;
const R_LINE = /^(R\S*)\t(\S+) \w+:(\S+) \w+:(\S+)\s*$/;

/** Entities and relations of one .ann file over its text; `where` names the file in messages. */
export function parseAnn(ann: string, text: string, where: string, textName = 'the text'): { entities: CharEntity[]; relations: CharRelation[] } {
  const toUtf16 = codePointToUtf16(text);
  const codePoints = [...text].length;
  const entities: CharEntity[] = [];
  const ids = new Map<string, number>();
  const pending: Array<{ id: string; type: string; head: string; tail: string; line: number }> = [];
  ann.split(/\r?\n/).forEach((raw, n) => {
    const at = `${where}:${n + 1}`;
    if (raw.startsWith('T')) {
      const m = T_LINE.exec(raw);
      if (!m) throw new DataError(`${at}: not a brat text-bound line (T<id>\\tType start end\\ttext): ${JSON.stringify(raw.slice(0, 80))}`);
      const [, id, type, spec, shown] = m;
      const fragments = spec.split(';').map((f) => f.split(' ').map(Number) as [number, number]);
      const start = Math.min(...fragments.map((f) => f[0]));
      const end = Math.max(...fragments.map((f) => f[1]));
      if (fragments.some(([a, b]) => a >= b)) throw new DataError(`${at}: ${id} has an empty or reversed span ${spec}`);
      if (end > codePoints) throw new DataError(`${at}: ${id} ends at ${end}, past the end of ${textName} (${codePoints} characters)`);
      const s = toUtf16(start)!;
      const e = toUtf16(end)!;
      // A contiguous span's text column must be the text there; anything else means the offsets are off.
      if (fragments.length === 1 && shown !== undefined && shown !== text.slice(s, e)) {
        throw new DataError(`${at}: ${id} says ${JSON.stringify(shown)} but ${textName} has ${JSON.stringify(text.slice(s, e))} at ${start}-${end}`);
      }
      if (ids.has(id)) throw new DataError(`${at}: ${id} is defined twice`);
      ids.set(id, entities.length);
      entities.push({ start: s, end: e, type });
    } else if (raw.startsWith('R')) {
      const m = R_LINE.exec(raw);
      if (!m) throw new DataError(`${at}: not a brat relation line (R<id>\\tType Arg1:T<a> Arg2:T<b>): ${JSON.stringify(raw.slice(0, 80))}`);
      pending.push({ id: m[1], type: m[2], head: m[3], tail: m[4], line: n + 1 });
    }
  });
  // Relations may come before the entities they name, so they are resolved once all T lines are read.
  const relations: CharRelation[] = pending.map((r) => {
    const head = ids.get(r.head);
    const tail = ids.get(r.tail);
    const missing = head === undefined ? r.head : tail === undefined ? r.tail : undefined;
    if (missing !== undefined) throw new DataError(`${where}:${r.line}: ${r.id} points at '${missing}', which is no text-bound (T) annotation of this file`);
    return { head: head!, tail: tail!, type: r.type };
  });
  return { entities, relations };
}

function textFileFor(dir: string, stem: string): string | undefined {
  for (const ext of TEXT_EXTENSIONS) {
    const f = path.join(dir, stem + ext);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/** Every `X.ann` in `dir` with its text file, sorted by name. */
export function readBratDir(dir: string): GoldDocument[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DataError(`brat folder not found: ${dir}`);
  const anns = fs.readdirSync(dir).filter((f) => f.endsWith('.ann')).sort();
  if (anns.length === 0) throw new DataError(`${dir} holds no .ann files`);
  return anns.map((annName) => {
    const stem = annName.slice(0, -'.ann'.length);
    const textFile = textFileFor(dir, stem);
    if (!textFile) throw new DataError(`${path.join(dir, annName)} has no text file beside it (${TEXT_EXTENSIONS.map((e) => stem + e).join(', ')})`);
    const text = fs.readFileSync(textFile, 'utf8');
    const annFile = path.join(dir, annName);
    const { entities, relations } = parseAnn(fs.readFileSync(annFile, 'utf8'), text, annFile, path.basename(textFile));
    return { name: stem, source: textFile, text, language: languageOfPath(textFile), units: lineUnits(text, stem), entities, relations };
  });
}

/** brat type names cannot hold whitespace. */
const bratType = (t: string) => t.replace(/\s+/g, '_') || '_';

/** The gold of `doc` as .ann text (entities crossing a line break are written as fragments, as brat requires). */
export function formatAnn(doc: GoldDocument): string {
  const cp = new CodePointIndex(doc.text);
  const lines: string[] = [];
  doc.entities.forEach((e, i) => {
    const fragments: Array<[number, number]> = [];
    const slice = doc.text.slice(e.start, e.end);
    for (const m of slice.matchAll(/[^\r\n]+/g)) fragments.push([e.start + m.index!, e.start + m.index! + m[0].length]);
    const spans = fragments.map(([s, en]) => `${cp.toCodePoint(s)} ${cp.toCodePoint(en)}`).join(';');
    lines.push(`T${i + 1}\t${bratType(e.type)} ${spans}\t${fragments.map(([s, en]) => doc.text.slice(s, en)).join(' ')}`);
  });
  doc.relations.forEach((r, i) => lines.push(`R${i + 1}\t${bratType(r.type)} Arg1:T${r.head + 1} Arg2:T${r.tail + 1}`));
  return lines.map((l) => l + '\n').join('');
}

/** Writes `<dir>/<name>.txt` (or .md for Markdown) and `<dir>/<name>.ann`; returns both paths. */
export async function writeBrat(doc: GoldDocument, dir: string): Promise<string[]> {
  const txt = path.join(dir, doc.name + (doc.language === 'markdown' ? '.md' : '.txt'));
  const ann = path.join(dir, doc.name + '.ann');
  await writeFileAtomic(txt, doc.text);
  await writeFileAtomic(ann, formatAnn(doc));
  return [txt, ann];
}
