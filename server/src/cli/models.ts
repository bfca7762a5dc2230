/** `erlens models`: the installed packages, with architecture, dataset and dev scores. */
import type { DevScores, ModelPackage } from '../model/package';
import type { CommonOptions, Values } from './options';
import { catalogueFor, configuredDefaultModels } from './modelSelection';

function devScores(pkg: ModelPackage): { source: string; scores: DevScores } | null {
  const d = pkg.meta.dev_scores ?? {};
  if (d.onnx) return { source: 'onnx', scores: d.onnx };
  if (d.pytorch_fp32) return { source: 'pytorch_fp32', scores: d.pytorch_fp32 };
  return null;
}

export async function runModels(values: Values, opts: CommonOptions): Promise<number> {
  const catalogue = catalogueFor(opts);
  const { packages, errors } = await catalogue.loadAll();
  const defaults = new Set(configuredDefaultModels());
  if (values.json) {
    process.stdout.write(
      JSON.stringify(
        {
          packages: packages.map((p) => ({
            id: p.id, dir: p.dir, architecture: p.meta.architecture, decoder: p.meta.decoder, encoder: p.meta.encoder.kind,
            dataset: p.meta.training?.dataset ?? null, entity_types: p.meta.entity_types, relation_types: p.meta.relation_types,
            dev_scores: p.meta.dev_scores ?? null, default: defaults.has(p.id),
          })),
          errors: errors.map((e) => ({ package: e.packageRef, problem: e.problem })),
        },
        null,
        2,
      ) + '\n',
    );
    return errors.length && !packages.length ? 1 : 0;
  }
  if (!packages.length && !errors.length) {
    process.stdout.write(`no model packages installed (looked in ${catalogue.roots.join(', ')})\n`);
    return 0;
  }
  const rows = packages.map((p) => {
    const dev = devScores(p);
    const fmt = (x: number | undefined) => (typeof x === 'number' ? x.toFixed(2) : '-');
    return [
      p.id + (defaults.has(p.id) ? ' *' : ''),
      p.meta.architecture,
      p.meta.encoder.kind + (p.meta.encoder.name ? `:${p.meta.encoder.name}` : ''),
      String(p.meta.training?.dataset ?? '-'),
      dev ? `NER ${fmt(dev.scores.ner_micro)}/${fmt(dev.scores.ner_macro)} RE ${fmt(dev.scores.re_micro)}/${fmt(dev.scores.re_macro)} (${dev.source})` : '-',
    ];
  });
  const header = ['id', 'architecture', 'encoder', 'dataset', 'dev F1 micro/macro'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n';
  process.stdout.write(line(header) + rows.map(line).join(''));
  if (defaults.size) process.stdout.write('* = a default model (erlens.models)\n');
  for (const e of errors) process.stdout.write(`broken: ${e.message}\n`);
  return 0;
}
