/**
 * `erlens query TEXT [--workspace FOLDER] [--relation TYPE] [--role head|tail] [--limit N] [--json]`: the
 * relations an entity takes part in across a workspace, read from the index `erlens index` and the
 * language server keep (FOLDER/.erlens/index.sqlite). Reads only: nothing is annotated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexFileOf } from '../workspaceIndex/indexer';
import { TripleIndex } from '../workspaceIndex/tripleIndex';
import type { IndexAnswer } from '../workspaceIndex/types';
import { displayPath } from './displayPath';
import { UsageError } from './errors';
import type { Values } from './options';

export async function runQuery(positionals: string[], values: Values): Promise<number> {
  const text = positionals.join(' ').trim();
  if (!text) throw new UsageError('query needs the text of an entity, e.g. erlens query metformin');
  const folder = path.resolve((values.workspace as string | undefined) ?? '.');
  const file = indexFileOf(folder);
  if (!fs.existsSync(file)) throw new UsageError(`no index at ${file}: run 'erlens index ${folder}' first (or open the folder in the editor)`);
  const role = values.role as string | undefined;
  if (role !== undefined && role !== 'head' && role !== 'tail') throw new UsageError(`--role must be head or tail, not '${role}'`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive whole number, not '${values.limit}'`);
  const { index, rebuilt } = await TripleIndex.open(file, { readOnly: true });
  if (rebuilt) {
    index.close();
    throw new UsageError(`${rebuilt}; rebuilding the index: run 'erlens index ${folder}'`);
  }
  const answer = index.query({ text, relation: values.relation as string | undefined, role, limit });
  index.close();
  process.stdout.write(values.json ? `${JSON.stringify(answer, null, 2)}\n` : describe(answer));
  return 0;
}

/** For a terminal: one line per relation, `file:line:column`, as compilers print locations (editors link them). */
function describe(answer: IndexAnswer): string {
  const lines = [`${answer.total} relation(s) of "${answer.query.text}" in ${answer.documents} indexed document(s)`];
  for (const r of answer.relations) {
    const at = r.role === 'head' ? r.head : r.tail;
    let file = r.uri;
    try {
      file = displayPath(fileURLToPath(r.uri));
    } catch {
      // not a file: URI; keep it
    }
    lines.push(`${file}:${at.line + 1}:${at.character + 1}: ${r.head.text} (${r.head.type}) → ${r.type} → ${r.tail.text} (${r.tail.type}) [${r.assertion}, ${r.score.toFixed(2)}]`);
  }
  if (answer.relations.length < answer.total) lines.push(`… ${answer.total - answer.relations.length} more (--limit)`);
  return `${lines.join('\n')}\n`;
}
