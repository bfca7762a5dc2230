/**
 * Where each export format goes: a single document's export is named after it (`note.json`,
 * `note.csv`, …); an export of several documents goes into one `erlens-triples.<ext>` per format.
 * brat always writes a `<name>.txt` + `<name>.ann` pair per document. Every format's files are written
 * as one transaction: all of them, or (when one cannot be written) none. The formats themselves and the
 * atomic temp-file-and-rename are ../export's.
 */
import * as path from 'node:path';
import { writeFilesAtomic } from '../export/atomicWrite';
import type { FileContent } from '../export/atomicWrite';
import { isExportFormat, planExport, stemOf } from '../export/formats';
import { FILE_EXTENSIONS, FOLDER_FORMATS } from '../export/formatNames';
import type { ExportDocument } from '../export/formats';

export type { ExportDocument };

export async function writeExports(documents: ExportDocument[], formats: string[], outDir: string, name?: string): Promise<string[]> {
  const stem = name || (documents.length === 1 ? stemOf(documents[0]) : 'erlens-triples');
  const files: FileContent[] = [];
  for (const format of formats) {
    if (!isExportFormat(format)) continue;
    const target = FOLDER_FORMATS.includes(format) ? outDir : path.join(outDir, `${stem}${FILE_EXTENSIONS[format]}`);
    files.push(...planExport(documents, format, target));
  }
  await writeFilesAtomic(files);
  return files.map((f) => f.file);
}
