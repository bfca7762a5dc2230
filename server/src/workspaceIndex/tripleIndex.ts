/**
 * The workspace's triples in an embedded SQLite database (sql.js: SQLite compiled to WebAssembly).
 *
 * Why sql.js: a native binding (better-sqlite3) is built for one Node ABI, and VS Code's Electron is not
 * the Node the VSIX was built with, so it would need a prebuilt binary per editor version, fetched at
 * install; node:sqlite is not in every editor's Node. WebAssembly runs in all of them, installs from
 * npm without a build, and the file is ordinary SQLite (open it with the sqlite3 shell). sql.js keeps
 * the database in memory: `save` writes it whole, atomically, which for triples (a few MB for a thousand
 * notes) is cheap.
 *
 * One row per document (its content hash and the models that indexed it, so a changed file or a new
 * model re-indexes it), per entity and per relation (both arguments denormalised: a query is one
 * indexed look-up, no join).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, Statement } from 'sql.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations, EntityAnnotation } from '../annotations/types';
import { foldText } from '../corrections/store';
import { writeFileAtomic } from '../export/atomicWrite';
import type { IndexAnswer, IndexedArgument, IndexedRelation, IndexQuery } from './types';

/** Bumped when the tables change: an index of another version is rebuilt, not misread. */
export const INDEX_SCHEMA_VERSION = 1;
export const DEFAULT_QUERY_LIMIT = 500;
const SENTENCE_CHARS = 240;
/**
 * What one document adds to the index at most. A row costs tens of microseconds in sql.js and a put runs
 * on the server's message loop, so a pathological document (10,000 random edits made one with 164,000
 * entities and 940,000 relations: 75 s) must not hold it; a real note has tens to hundreds of each.
 * `put` says when it cut.
 */
export const MAX_ROWS_PER_DOCUMENT = Object.freeze({ entities: 5000, relations: 2000 });

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (id INTEGER PRIMARY KEY, uri TEXT NOT NULL UNIQUE, hash TEXT NOT NULL, models TEXT NOT NULL, indexed_at INTEGER NOT NULL);
CREATE TABLE entities (doc INTEGER NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL, folded TEXT NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, assertion TEXT NOT NULL, model TEXT NOT NULL, score REAL NOT NULL);
CREATE TABLE relations (doc INTEGER NOT NULL, type TEXT NOT NULL, head TEXT NOT NULL, tail TEXT NOT NULL,
  head_folded TEXT NOT NULL, tail_folded TEXT NOT NULL, assertion TEXT NOT NULL, model TEXT NOT NULL, score REAL NOT NULL, sentence TEXT NOT NULL);
CREATE INDEX entities_doc ON entities (doc);
CREATE INDEX entities_folded ON entities (folded);
CREATE INDEX relations_doc ON relations (doc);
CREATE INDEX relations_head ON relations (head_folded);
CREATE INDEX relations_tail ON relations (tail_folded);
`;

let engine: Promise<SqlJsStatic> | undefined;

/** One row through a prepared statement: bind, step, reset (a third of `run`'s time, which also clears bindings and re-checks the statement). */
function insert(statement: Statement, values: (string | number)[]): void {
  statement.bind(values);
  statement.step();
  statement.reset();
}

/** sql-wasm.wasm: beside the bundle in the VSIX (dist/), else in node_modules. */
function wasmFile(): string {
  const bundled = path.join(__dirname, 'sql-wasm.wasm');
  // A name, not a literal: the bundler leaves it to run time instead of warning.
  const inNodeModules = 'sql.js/dist/sql-wasm.wasm';
  return fs.existsSync(bundled) ? bundled : require.resolve(inNodeModules);
}

function sqlite(): Promise<SqlJsStatic> {
  engine ??= initSqlJs({ wasmBinary: fs.readFileSync(wasmFile()) as unknown as ArrayBuffer });
  return engine;
}

export interface OpenedIndex {
  index: TripleIndex;
  /** Set when the file could not be used and the index starts empty: why (corrupt, another version). */
  rebuilt?: string;
}

export class TripleIndex {
  private dirty = false;

  private constructor(
    private readonly db: Database,
    /** Where `save` writes; undefined keeps the index in memory only (untrusted workspaces, tests). */
    readonly file: string | undefined,
  ) {}

  /**
   * Opens the index at `file` (created when missing). A file that is not a readable index of this
   * version is set aside as `<file>.corrupt` and the index starts empty: it is rebuilt, never fatal.
   * `readOnly` (a query): the file is left where it is.
   */
  static async open(file: string | undefined, { readOnly = false } = {}): Promise<OpenedIndex> {
    const SQL = await sqlite();
    if (!file || !fs.existsSync(file)) return { index: TripleIndex.fresh(SQL, file) };
    let problem: string;
    try {
      const db = new SQL.Database(fs.readFileSync(file));
      const version = db.exec("SELECT value FROM meta WHERE key = 'schema'")[0]?.values[0]?.[0];
      const check = db.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
      if (String(version) === String(INDEX_SCHEMA_VERSION) && check === 'ok') return { index: new TripleIndex(db, file) };
      db.close();
      problem = check !== 'ok' ? `integrity check: ${String(check)}` : `schema version ${String(version)}, this ERlens writes ${INDEX_SCHEMA_VERSION}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (readOnly) return { index: TripleIndex.fresh(SQL, undefined), rebuilt: `${file}: ${problem}` };
    try {
      fs.renameSync(file, `${file}.corrupt`);
    } catch {
      // unreadable or read-only: the rebuilt index is written over it at the next save, or stays in memory
    }
    return { index: TripleIndex.fresh(SQL, file), rebuilt: `${file}: ${problem}; rebuilding the index` };
  }

  private static fresh(SQL: SqlJsStatic, file: string | undefined): TripleIndex {
    const db = new SQL.Database();
    db.exec(SCHEMA);
    db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['schema', String(INDEX_SCHEMA_VERSION)]);
    const index = new TripleIndex(db, file);
    index.dirty = true;
    return index;
  }

  /** Whether `uri` is indexed from exactly this content by exactly these models. */
  isCurrent(uri: string, hash: string, models: string): boolean {
    const row = this.db.exec('SELECT hash, models FROM documents WHERE uri = ?', [uri])[0]?.values[0];
    return !!row && row[0] === hash && row[1] === models;
  }

  /** The indexed documents' URIs. */
  uris(): string[] {
    return (this.db.exec('SELECT uri FROM documents ORDER BY uri')[0]?.values ?? []).map((r) => String(r[0]));
  }

  documentCount(): number {
    return Number(this.db.exec('SELECT count(*) FROM documents')[0].values[0][0]);
  }

  /** Replaces what the index holds for `annotations.uri` by these annotations of `text`. */
  put(text: string, annotations: DocumentAnnotations, hash: string, models: string): { cut: boolean } {
    const document = TextDocument.create(annotations.uri, 'plaintext', 0, text);
    const argument = (e: EntityAnnotation): IndexedArgument => {
      const start = document.positionAt(e.start);
      const end = document.positionAt(e.end);
      return { text: e.text, type: e.type, start: e.start, end: e.end, line: start.line, character: start.character, endLine: end.line, endCharacter: end.character };
    };
    // Each sentence's text once (a document can hold thousands of sentences and of relations).
    const byIndex = new Map(annotations.sentences.map((s) => [s.index, s]));
    const sentences = new Map<number, string>();
    const sentenceText = (index: number): string => {
      let t = sentences.get(index);
      if (t === undefined) {
        const s = byIndex.get(index);
        // Cut before folding: only the first SENTENCE_CHARS characters are kept.
        t = s ? text.slice(s.start, Math.min(s.end, s.start + 4 * SENTENCE_CHARS)).replace(/\s+/g, ' ').trim() : '';
        if (t.length > SENTENCE_CHARS) t = `${t.slice(0, SENTENCE_CHARS - 1)}…`;
        sentences.set(index, t);
      }
      return t;
    };
    this.db.exec('BEGIN');
    try {
      this.deleteRows(annotations.uri);
      this.db.run('INSERT INTO documents (uri, hash, models, indexed_at) VALUES (?, ?, ?, ?)', [annotations.uri, hash, models, Date.now()]);
      const doc = Number(this.db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
      const entity = this.db.prepare('INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const e of annotations.entities.slice(0, MAX_ROWS_PER_DOCUMENT.entities)) insert(entity, [doc, e.type, e.text, foldText(e.text), e.start, e.end, e.assertion.status, e.model, e.score]);
      entity.free();
      const relation = this.db.prepare('INSERT INTO relations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of annotations.relations.slice(0, MAX_ROWS_PER_DOCUMENT.relations)) {
        insert(relation, [doc, r.type, JSON.stringify(argument(r.head)), JSON.stringify(argument(r.tail)), foldText(r.head.text), foldText(r.tail.text), r.assertion.status, r.model, r.score, sentenceText(r.sentence)]);
      }
      relation.free();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    this.dirty = true;
    return { cut: annotations.entities.length > MAX_ROWS_PER_DOCUMENT.entities || annotations.relations.length > MAX_ROWS_PER_DOCUMENT.relations };
  }

  /** Forgets `uri` (the file was deleted or left the workspace). */
  remove(uri: string): boolean {
    const had = this.deleteRows(uri);
    if (had) this.dirty = true;
    return had;
  }

  private deleteRows(uri: string): boolean {
    const row = this.db.exec('SELECT id FROM documents WHERE uri = ?', [uri])[0]?.values[0];
    if (!row) return false;
    for (const table of ['entities', 'relations']) this.db.run(`DELETE FROM ${table} WHERE doc = ?`, [row[0]]);
    this.db.run('DELETE FROM documents WHERE id = ?', [row[0]]);
    return true;
  }

  /** The relations an entity text takes part in, across every indexed document. */
  query(q: IndexQuery, indexing = false): IndexAnswer {
    const t0 = performance.now();
    const folded = foldText(q.text);
    const limit = Math.max(1, Math.min(q.limit ?? DEFAULT_QUERY_LIMIT, 100_000));
    const where: string[] = [];
    const params: (string | number)[] = [];
    const roles = q.role ? [q.role] : (['head', 'tail'] as const);
    where.push(`(${roles.map((r) => `${r}_folded = ?`).join(' OR ')})`);
    for (const _ of roles) params.push(folded);
    if (q.relation) {
      where.push('r.type = ?');
      params.push(q.relation);
    }
    const condition = where.join(' AND ');
    const total = Number(this.db.exec(`SELECT count(*) FROM relations r WHERE ${condition}`, params)[0].values[0][0]);
    const relations = this.relationRows(
      `SELECT d.uri, r.type, r.head, r.tail, r.assertion, r.model, r.score, r.sentence, r.head_folded FROM relations r JOIN documents d ON d.id = r.doc
       WHERE ${condition} ORDER BY d.uri, r.rowid LIMIT ?`,
      [...params, limit],
      (headFolded) => (headFolded === folded && q.role !== 'tail' ? 'head' : 'tail'),
    );
    return { query: q, relations, total, documents: this.documentCount(), indexing, milliseconds: performance.now() - t0 };
  }

  /** Every relation of the index (up to `limit`), for the workspace's relation graph. */
  allRelations(limit = 200_000): IndexedRelation[] {
    return this.relationRows('SELECT d.uri, r.type, r.head, r.tail, r.assertion, r.model, r.score, r.sentence FROM relations r JOIN documents d ON d.id = r.doc ORDER BY d.uri, r.rowid LIMIT ?', [limit], () => 'head');
  }

  /** The rows of a relations query whose first eight columns are uri, type, head, tail, assertion, model, score, sentence; `role` reads the ninth. */
  private relationRows(sql: string, params: (string | number)[], role: (ninth: unknown) => 'head' | 'tail'): IndexedRelation[] {
    const statement = this.db.prepare(sql);
    statement.bind(params);
    const relations: IndexedRelation[] = [];
    while (statement.step()) {
      const [uri, type, head, tail, assertion, model, score, sentence, ninth] = statement.get();
      relations.push({
        uri: String(uri),
        type: String(type),
        role: role(ninth),
        head: JSON.parse(String(head)) as IndexedArgument,
        tail: JSON.parse(String(tail)) as IndexedArgument,
        assertion: String(assertion),
        model: String(model),
        score: Number(score),
        sentence: String(sentence),
      });
    }
    statement.free();
    return relations;
  }

  /** Entity texts starting with `prefix` (folded), the most mentioned first: what a query box offers. */
  entityTexts(prefix: string, limit = 50): { text: string; type: string; mentions: number }[] {
    const folded = foldText(prefix).replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = this.db.exec(
      `SELECT min(text), type, count(*) AS n FROM entities WHERE folded LIKE ? ESCAPE '\\' GROUP BY folded, type ORDER BY n DESC, folded LIMIT ?`,
      [`${folded}%`, limit],
    )[0]?.values ?? [];
    return rows.map(([text, type, n]) => ({ text: String(text), type: String(type), mentions: Number(n) }));
  }

  /** Writes the database (atomically) when it changed since the last save; a no-op in memory. */
  async save(): Promise<boolean> {
    if (!this.file || !this.dirty) return false;
    this.dirty = false;
    try {
      await writeFileAtomic(this.file, this.db.export());
    } catch (error) {
      this.dirty = true;
      throw error;
    }
    return true;
  }

  close(): void {
    this.db.close();
  }
}
