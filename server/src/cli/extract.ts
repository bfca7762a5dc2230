/**
 * `erlens extract`: annotate files through the editor's pipeline and write them in an export format, or
 * as text for a person to read (`--format text`: sentences, entities and relations; not an export).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../export/atomicWrite';
import { documentToJson, ExportDocument, isExportFormat, render, writeExport, EXPORT_FORMATS } from '../export/formats';
import { FOLDER_FORMATS } from '../export/formatNames';
import { toTextReport } from '../export/textReport';
import { filterByAssertion } from '../assertion/view';
import { Annotator } from '../pipeline/annotator';
import { languageOfPath } from '../workspace/proseFiles';
import { displayPath } from './displayPath';
import { UsageError } from './errors';
import { assertionsOption, languageOption } from './options';
import type { CommonOptions, Values } from './options';
import { chooseModels } from './modelSelection';
import { loadAnnotator } from './loadModels';

/** What --format takes: the export formats, and `text` for reading on a terminal (the demo's). */
export const EXTRACT_FORMATS = [...EXPORT_FORMATS, 'text'] as const;

export async function runExtract(files: string[], values: Values, opts: CommonOptions): Promise<number> {
  const format = (values.format as string | undefined) ?? 'json';
  if (!isExportFormat(format) && format !== 'text') throw new UsageError(`--format must be one of ${EXTRACT_FORMATS.join(', ')}, not '${format}'`);
  if (files.length === 0) throw new UsageError('extract needs at least one file');
  const out = values.out as string | undefined;
  if (isExportFormat(format) && FOLDER_FORMATS.includes(format) && !out) throw new UsageError(`--format ${format} writes files per input file: give a folder with --out`);
  // A missing file among many is reported and the others are still extracted (exit 1 at the end);
  // when none can be read there is nothing to do, which is a usage error.
  const unreadable = files.map((f) => (!fs.existsSync(f) ? `file not found: ${f}` : !fs.statSync(f).isFile() ? `not a file: ${f}` : '')).filter(Boolean);
  if (unreadable.length === files.length) throw new UsageError(unreadable.join('; '));
  for (const problem of unreadable) process.stderr.write(`erlens extract: ${problem}\n`);
  files = files.filter((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  const assertions = assertionsOption(values);
  const language = languageOption(values); // checked before the models load

  const annotator: Annotator = await loadAnnotator(chooseModels(opts), opts);
  try {
    const docs: ExportDocument[] = [];
    for (const file of files) {
      const abs = path.resolve(file);
      const text = fs.readFileSync(abs, 'utf8');
      const reported = annotator.errors.length;
      const annotations = await annotator.annotate(pathToFileURL(abs).href, 0, text, language ?? languageOfPath(file));
      if (annotations.skipped) process.stderr.write(`erlens extract: ${file}: ${annotations.skipped}\n`);
      // A batch that failed is left unannotated; say so rather than write a silently thinner export.
      for (const e of annotator.errors.slice(reported)) process.stderr.write(`erlens: warning: ${file}: ${e.message}\n`);
      docs.push({ annotations: filterByAssertion(annotations, assertions), text, path: abs });
    }

    let written: string[] = [];
    // brat and INCEpTION write a folder (FOLDER_FORMATS); Label Studio its labelling config beside the tasks
    if (format === 'brat' || format === 'inception' || (format === 'labelstudio' && out)) written = await writeExport(docs, format, out!);
    else {
      const body =
        format === 'text'
          ? toTextReport(docs, { label: (d) => (d.path ? displayPath(d.path) : d.annotations.uri) })
          : format === 'jsonl'
            ? docs.map((d) => JSON.stringify(documentToJson(d)) + '\n').join('')
            : render(docs, format);
      if (out) {
        await writeFileAtomic(out, body);
        written = [out];
      } else process.stdout.write(body);
    }
    const entities = docs.reduce((s, d) => s + d.annotations.entities.length, 0);
    const relations = docs.reduce((s, d) => s + d.annotations.relations.length, 0);
    const sentences = docs.reduce((s, d) => s + d.annotations.stats.sentences, 0);
    const models = annotator.loadedModels().map((m) => `${m.id} on ${m.provider}`).join(', ');
    process.stderr.write(`erlens extract: ${files.length} file(s), ${sentences} sentences, ${entities} entities, ${relations} relations (${models})${written.length ? `; wrote ${written.join(', ')}` : ''}\n`);
    if (unreadable.length) process.stderr.write(`erlens extract: ${unreadable.length} file(s) could not be read (above)\n`);
    return unreadable.length ? 1 : 0;
  } finally {
    await annotator.dispose();
  }
}
