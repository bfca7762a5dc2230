/**
 * Where each export format goes: a single document's export is named after it (`note.json`,
 * `note.csv`, …); an export of several documents goes into one `erlens-triples.<ext>` per format.
 * brat always writes a `<name>.txt` + `<name>.ann` pair per document. The formats themselves and the
 * atomic temp-file-and-rename are ../export's.
 */
import * as path from 'node:path';
import { FILE_EXTENSIONS, isExportFormat, stemOf, writeExport } from '../export/formats';
import type { ExportDocument } from '../export/formats';

export type { ExportDocument };

export async function writeExports(documents: ExportDocument[], formats: string[], outDir: string): Promise<string[]> {
  const stem = documents.length === 1 ? stemOf(documents[0]) : 'erlens-triples';
  const written: string[] = [];
  for (const format of formats) {
    if (!isExportFormat(format)) continue;
    const target = format === 'brat' ? outDir : path.join(outDir, `${stem}${FILE_EXTENSIONS[format]}`);
    written.push(...(await writeExport(documents, format, target)));
  }
  return written;
}
