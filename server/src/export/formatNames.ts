/**
 * The export formats, listed once: the exporters (formats.ts), the `erlens.export.formats` setting,
 * the CLI's --format and the client's pick list (through lsp/protocol.ts) all read this list.
 * No imports, so the client can bundle it.
 */
export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'ntriples', 'brat', 'labelstudio', 'prodigy', 'inception'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The extension of each format's files (brat's .ann goes with a .txt; Label Studio's tasks with label-studio-config.xml). */
export const FILE_EXTENSIONS: Readonly<Record<ExportFormat, string>> = { json: '.json', jsonl: '.jsonl', csv: '.csv', ntriples: '.nt', brat: '.ann', labelstudio: '.labelstudio.json', prodigy: '.prodigy.jsonl', inception: '.cas.json' };

/** Formats written as a folder of files, one or two per document (the others: one file for all). */
export const FOLDER_FORMATS: readonly ExportFormat[] = ['brat', 'inception'];

/** What Export Triples offers first: ERlens' own formats (the annotation tools' task formats are opt-in). */
export const DEFAULT_EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'jsonl', 'csv', 'ntriples', 'brat'];

export function isExportFormat(v: unknown): v is ExportFormat {
  return typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v);
}
