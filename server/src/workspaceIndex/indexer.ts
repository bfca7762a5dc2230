/**
 * Keeps a workspace's index up to date: a run over the prose files of its folders (only files whose
 * content or models changed are annotated again; files gone are forgotten), single files as they change
 * on disk, and open documents from the annotations the editor already computed. Shared by the language
 * server (which annotates on its worker) and `erlens index` (which annotates in process): both pass
 * `annotate`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DocumentAnnotations } from '../annotations/types';
import { throwIfAborted } from '../model/abort';
import type { StopSignal } from '../model/abort';
import { documentSkipReason } from '../text/documentGate';
import { languageOfPath, proseFilesUnder } from '../workspace/proseFiles';
import { MAX_ROWS_PER_DOCUMENT, TripleIndex } from './tripleIndex';
import type { IndexRunSummary } from './types';

/** Where a workspace folder keeps its index (beside the corrections, corrections/workspaceFiles.ts). */
export function indexFileOf(folder: string): string {
  return path.join(folder, '.erlens', 'index.sqlite');
}

/** The models whose annotations an index holds: ids and graph hashes (a retrained package re-indexes). */
export function modelsFingerprint(models: readonly { id: string; graphSha256: string }[]): string {
  return models.map((m) => `${m.id}@${m.graphSha256.slice(0, 16)}`).join(',');
}

export const contentHash = (text: string): string => createHash('sha1').update(text).digest('hex');

export interface IndexerDeps {
  /** Annotations of a text as the editor shows them (corrections applied); undefined when no model is loaded. */
  annotate(uri: string, text: string, languageId: string, stop?: StopSignal): Promise<DocumentAnnotations | undefined>;
  /** Names the models (and their versions) whose annotations the index holds: a change re-indexes every file. */
  models(): string;
  maxFileSize(): number;
  /** Said when a document holds more than the index keeps of one (MAX_ROWS_PER_DOCUMENT). */
  warn(message: string): void;
}

export interface RunOptions {
  stop?: StopSignal;
  /** Before each file: how far the run is. */
  progress?(done: number, total: number, file: string): void;
  /** URIs the editor has open: their annotations come from the editor (`putAnnotations`), not from disk. */
  isOpen?(uri: string): boolean;
  /** The index is saved every this many annotated files, so an interrupted run keeps what it did (default 25). */
  saveEvery?: number;
}

export class WorkspaceIndexer {
  private running = 0;

  constructor(
    readonly index: TripleIndex,
    private readonly deps: IndexerDeps,
  ) {}

  get indexing(): boolean {
    return this.running > 0;
  }

  /** Brings the index up to date with the prose files under `folders`. */
  async run(folders: string[], options: RunOptions = {}): Promise<IndexRunSummary> {
    const t0 = Date.now();
    this.running++;
    const summary: IndexRunSummary = { files: 0, indexed: 0, unchanged: 0, removed: 0, skipped: [], relations: 0, cancelled: false, seconds: 0 };
    try {
      const files = folders.flatMap((folder) => proseFilesUnder(folder, path.join(folder, 'erlens-export')));
      summary.files = files.length;
      const present = new Set(files.map((f) => pathToFileURL(f).href));
      for (const uri of this.index.uris()) {
        if (!present.has(uri) && isUnder(uri, folders) && this.index.remove(uri)) summary.removed++;
      }
      let sinceSave = 0;
      for (const [i, file] of files.entries()) {
        throwIfAborted(options.stop);
        options.progress?.(i, files.length, file);
        const uri = pathToFileURL(file).href;
        if (options.isOpen?.(uri)) {
          summary.unchanged++;
          continue;
        }
        const outcome = await this.indexFile(file, options.stop);
        if (outcome.skipped) summary.skipped.push({ uri, reason: outcome.skipped });
        else if (outcome.unchanged) summary.unchanged++;
        else {
          summary.indexed++;
          summary.relations += outcome.relations;
          if (++sinceSave >= (options.saveEvery ?? 25)) {
            sinceSave = 0;
            await this.index.save();
          }
        }
      }
    } catch (error) {
      if (!options.stop?.aborted) throw error;
      summary.cancelled = true;
    } finally {
      this.running--;
      await this.index.save();
      summary.seconds = (Date.now() - t0) / 1000;
    }
    return summary;
  }

  /** Indexes one file from disk unless the index has it from the same content and models. */
  async indexFile(file: string, stop?: StopSignal): Promise<{ unchanged?: boolean; skipped?: string; relations: number }> {
    const uri = pathToFileURL(file).href;
    let text: string;
    try {
      const size = fs.statSync(file).size;
      if (size > this.deps.maxFileSize() * 4) return this.forget(uri, 'larger than erlens.maxFileSize');
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      return this.forget(uri, `unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const hash = contentHash(text);
    if (this.index.isCurrent(uri, hash, this.deps.models())) return { unchanged: true, relations: 0 };
    const notAnalysed = documentSkipReason(text, this.deps.maxFileSize(), 'erlens.maxFileSize');
    if (notAnalysed) return this.forget(uri, notAnalysed);
    const annotations = await this.deps.annotate(uri, text, languageOfPath(file), stop);
    throwIfAborted(stop);
    if (!annotations) return { skipped: 'no model loaded', relations: 0 };
    this.put(text, annotations, hash);
    return { relations: annotations.relations.length };
  }

  /** An open document's complete annotations (the editor's view: unsaved edits, corrections) replace its rows. */
  putAnnotations(text: string, annotations: DocumentAnnotations): void {
    if (annotations.skipped) this.index.remove(annotations.uri);
    else this.put(text, annotations, contentHash(text));
  }

  private put(text: string, annotations: DocumentAnnotations, hash: string): void {
    if (this.index.put(text, annotations, hash, this.deps.models()).cut) {
      const { entities, relations } = MAX_ROWS_PER_DOCUMENT;
      this.deps.warn(`workspace index: ${annotations.uri} has ${annotations.entities.length} entities and ${annotations.relations.length} relations; the index keeps the first ${entities} and ${relations}`);
    }
  }

  private forget(uri: string, reason: string): { skipped: string; relations: number } {
    this.index.remove(uri);
    return { skipped: reason, relations: 0 };
  }
}

/** Whether a file: URI lies under one of the folders. */
export function isUnder(uri: string, folders: string[]): boolean {
  let file: string;
  try {
    file = fileURLToPath(uri);
  } catch {
    return false;
  }
  return folders.some((folder) => {
    const rel = path.relative(folder, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}
