/**
 * How closely does our word tokenizer reproduce the benchmarks' tokenisation?
 *
 * For each dev sentence: detokenise the gold tokens into plausible running text (a simple
 * PTB-style detokeniser, which records where each gold token lands), re-tokenise that text with
 * server/src/text/wordTokenizer.ts, and compare. Reported per dataset: the share of sentences whose
 * token sequence is identical, and token-level precision/recall/F1 where a token counts when its
 * character span matches a gold token's span exactly. The most frequent disagreements are listed.
 *
 * usage: node server/out/tools/tokenizerAgreement.js [--data DIR] [--datasets conll04,ade,scierc] [--out FILE]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { sharedRoot } from '../paths';
import { detokenize } from '../eval/detokenize';
import { ABBREVIATIONS, tokenizeWords } from '../text/wordTokenizer';

interface DatasetReport {
  sentences: number;
  identical: number;
  identical_percent: number;
  gold_tokens: number;
  predicted_tokens: number;
  matched_tokens: number;
  precision: number;
  recall: number;
  f1: number;
  top_disagreements: Array<{ gold: string; ours: string; count: number }>;
}

export function measure(sentences: ReadonlyArray<{ tokens: string[] }>): DatasetReport {
  let identical = 0;
  let gold = 0;
  let predicted = 0;
  let matched = 0;
  const disagreements = new Map<string, number>();
  for (const s of sentences) {
    const { text, spans } = detokenize(s.tokens);
    const ours = tokenizeWords(text);
    const goldKeys = new Set(spans.map(([a, b]) => `${a}:${b}`));
    const ourKeys = new Set(ours.map((t) => `${t.start}:${t.end}`));
    gold += spans.length;
    predicted += ours.length;
    let m = 0;
    for (const k of ourKeys) if (goldKeys.has(k)) m++;
    matched += m;
    if (m === spans.length && ours.length === spans.length) identical++;
    else {
      // Group the disagreement by the stretch of text where the two tokenisations differ.
      const cuts = (list: Array<[number, number]>) => new Set(list.flatMap(([a, b]) => [a, b]));
      const g = cuts(spans);
      const o = cuts(ours.map((t) => [t.start, t.end] as [number, number]));
      for (let i = 0; i < spans.length; i++) {
        const [a, b] = spans[i];
        if (ourKeys.has(`${a}:${b}`)) continue;
        // widen to a region whose both ends are cut points in both tokenisations
        let lo = a;
        let hi = b;
        while (lo > 0 && !(g.has(lo) && o.has(lo))) lo--;
        while (hi < text.length && !(g.has(hi) && o.has(hi))) hi++;
        const goldPart = spans.filter(([x, y]) => x >= lo && y <= hi).map(([x, y]) => text.slice(x, y)).join(' ');
        const ourPart = ours.filter((t) => t.start >= lo && t.end <= hi).map((t) => t.text).join(' ');
        const key = JSON.stringify([goldPart, ourPart]);
        disagreements.set(key, (disagreements.get(key) ?? 0) + 1);
        while (i + 1 < spans.length && spans[i + 1][1] <= hi) i++;
      }
    }
  }
  const precision = predicted ? matched / predicted : 0;
  const recall = gold ? matched / gold : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    sentences: sentences.length,
    identical,
    identical_percent: r4((100 * identical) / Math.max(1, sentences.length)),
    gold_tokens: gold,
    predicted_tokens: predicted,
    matched_tokens: matched,
    precision: r4(precision),
    recall: r4(recall),
    f1: r4(f1),
    top_disagreements: [...disagreements.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, count]) => {
        const [g, o] = JSON.parse(k);
        return { gold: g, ours: o, count };
      }),
  };
}

/** "theater." as the last gold token -> "theater" "." (abbreviations like "Calif." stay whole). */
export function splitGluedFinalPeriod(tokens: readonly string[]): string[] {
  const last = tokens[tokens.length - 1];
  if (!last || !/^\p{L}{2,}\.$/u.test(last) || ABBREVIATIONS.includes(last.slice(0, -1))) return [...tokens];
  return [...tokens.slice(0, -1), last.slice(0, -1), '.'];
}

function main(): void {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, datasets: { type: 'string' }, out: { type: 'string' } },
  });
  const dataDir = values.data ?? path.join(sharedRoot, 'data');
  const datasets = (values.datasets ?? 'conll04,ade,scierc').split(',');
  const out = values.out ?? 'tokenizer-agreement.json';
  const report: Record<string, unknown> = {
    what: 'gold dev tokens -> detokenised text -> ERlens word tokenizer; identical = same token sequence; F1 over exact token character spans',
    detokenizer: 'server/src/eval/detokenize.ts (PTB spacing; hyphens and slashes between words joined)',
    datasets: {},
  };
  for (const name of datasets) {
    const file = path.join(dataDir, name, 'dev.jsonl');
    const sentences = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { tokens: string[] });
    const r = measure(sentences);
    // CoNLL04 glues many sentence-final periods to the last word ("theater."), which no tokenizer of
    // running text should copy; the same comparison with those split shows what is left.
    const adjusted = measure(sentences.map((x) => ({ tokens: splitGluedFinalPeriod(x.tokens) })));
    (report.datasets as Record<string, unknown>)[name] = {
      file: path.relative(process.cwd(), file),
      ...r,
      with_glued_final_periods_split: { identical_percent: adjusted.identical_percent, f1: adjusted.f1 },
    };
    process.stdout.write(`${name}: ${r.identical_percent.toFixed(2)}% sentences identical, token F1 ${(100 * r.f1).toFixed(2)} (P ${(100 * r.precision).toFixed(2)}, R ${(100 * r.recall).toFixed(2)}) over ${r.sentences} sentences; with glued final periods split: ${adjusted.identical_percent.toFixed(2)}% identical, F1 ${(100 * adjusted.f1).toFixed(2)}\n`);
  }
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`wrote ${out}\n`);
}

if (require.main === module) main();
