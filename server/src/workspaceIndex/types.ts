/**
 * What the workspace index answers: the relations stored for an entity text across the documents of a
 * workspace, each with where both arguments are (file URI, LSP line/character, UTF-16 offsets). Shared by
 * the index (tripleIndex.ts), the LSP request (`erlens/query`), the client's tree view and `erlens query`.
 */

export interface IndexedArgument {
  text: string;
  type: string;
  start: number; // UTF-16 offsets into the document's text when it was indexed
  end: number;
  line: number; // zero-based, as LSP positions
  character: number;
  endLine: number;
  endCharacter: number;
}

export interface IndexedRelation {
  uri: string;
  type: string;
  /** Which argument matched the query: the entity is the relation's head or its tail. */
  role: 'head' | 'tail';
  head: IndexedArgument;
  tail: IndexedArgument;
  assertion: string;
  score: number;
  model: string;
  /** The sentence that states it, white space folded, cut to a readable length. */
  sentence: string;
}

export interface IndexQuery {
  /** The entity's text; compared as the ignore list compares (NFC, lower case, folded white space). */
  text: string;
  /** Only relations of this type. */
  relation?: string;
  /** Only where the entity is the relation's head, or its tail (default: either). */
  role?: 'head' | 'tail';
  /** At most this many relations (default 500); `total` still counts them all. */
  limit?: number;
}

export interface IndexAnswer {
  query: IndexQuery;
  relations: IndexedRelation[];
  /** Relations that matched, before the limit. */
  total: number;
  /** Documents in the index; and whether an indexing run is still going (the answer may grow). */
  documents: number;
  indexing: boolean;
  milliseconds: number;
}

/** One document's indexing outcome, for progress and reports. */
export interface IndexRunSummary {
  files: number;
  indexed: number;
  unchanged: number;
  removed: number;
  skipped: { uri: string; reason: string }[];
  relations: number;
  cancelled: boolean;
  seconds: number;
}
