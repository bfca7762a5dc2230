/**
 * `erlens bench --session-memory`: what ONNX Runtime's memory options and the batch bound cost and
 * save, measured rather than assumed. For the first model, one `erlens bench` child process per
 * setting (a process each, so no run inherits another's heap): the CPU memory arena and memory
 * patterns on and off, and batches bounded by word pairs (the default) or by 16 sentences (before).
 * Reports RSS after load, the peak during and the RSS after a cold annotation, and sentences/s.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../export/atomicWrite';
import { UsageError } from './errors';
import type { CommonOptions, Values } from './options';
import { chooseModels } from './modelSelection';

const SETTINGS: Array<{ name: string; args: string[] }> = [
  { name: 'arena on, patterns on, 16 sentences a call', args: ['--cpu-mem-arena', 'on', '--mem-pattern', 'on', '--batch-size', '16', '--batch-cells', '100000000'] },
  { name: 'arena on, patterns on, word-pair bound', args: ['--cpu-mem-arena', 'on', '--mem-pattern', 'on'] },
  { name: 'arena off, patterns on, word-pair bound', args: ['--cpu-mem-arena', 'off', '--mem-pattern', 'on'] },
  { name: 'arena on, patterns off, word-pair bound', args: ['--cpu-mem-arena', 'on', '--mem-pattern', 'off'] },
  { name: 'arena off, patterns off, word-pair bound (default)', args: ['--cpu-mem-arena', 'off', '--mem-pattern', 'off'] },
];

export async function runSessionMemoryBench(values: Values, opts: CommonOptions): Promise<number> {
  const ref = chooseModels(opts).refs[0];
  const out = (values.out as string | undefined) ?? 'bench-session-memory.json';
  const sentences = (values.sentences as string | undefined) ?? '2000';
  const cli = path.join(opts.extensionRoot, 'bin', 'erlens');
  const rows = [];
  for (const setting of SETTINGS) {
    const tmp = path.join(os.tmpdir(), `erlens-session-memory-${process.pid}.json`);
    const args = [cli, 'bench', '--model', ref, '--providers', 'cpu', '--sentences', sentences, '--out', tmp, ...setting.args];
    if (opts.threads) args.push('--threads', String(opts.threads));
    for (const d of opts.modelsDirs) args.push('--models-dir', d);
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 1_800_000 });
    if (child.status !== 0) throw new UsageError(`bench for '${setting.name}' failed: ${(child.stderr || child.stdout).trim().split('\n').pop()}`);
    const report = JSON.parse(fs.readFileSync(tmp, 'utf8'));
    fs.rmSync(tmp, { force: true });
    const r = report.results.find((x: { available: boolean }) => x.available);
    rows.push({ setting: setting.name, rss_mb_after_load: r.rss_mb_after_load, rss_mb_peak_cold: r.rss_mb_peak_cold, rss_mb_after_document: r.rss_mb_after_document, sentences_per_second: r.cold.sentences_per_second });
    process.stdout.write(`${setting.name}: RSS ${r.rss_mb_after_load} MB loaded, peak ${r.rss_mb_peak_cold} MB, ${r.rss_mb_after_document} MB after; ${r.cold.sentences_per_second} sentences/s\n`);
  }
  await writeFileAtomic(out, JSON.stringify({ date: new Date().toISOString(), model: ref, sentences: Number(sentences), machine: { cpus: os.cpus().length, load_average: os.loadavg() }, rows }, null, 2) + '\n');
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}
