// CLI tests: spawn `node bin/erlens` as users do, on the tiny test package (a low-threshold copy so an
// untrained model still emits some output; assertions hold for any output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '..', 'shared');
const tiny = path.join(root, 'test', 'fixtures', 'models', 'tiny-mge');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-cli-'));

// Thresholds calibrated on the tiny model's own outputs (it is not calibrated; see testing/fixtures.ts).
const { calibratedThresholds, oddInputDocument, tinyArchitectures, tinyPackageOf } = createRequire(import.meta.url)(path.join(root, 'server', 'out', 'testing', 'fixtures.js'));
const thresholds = await calibratedThresholds(tiny, 3, 1);

function chattyCopy() {
  const dst = path.join(tmp, 'models', 'tiny-chatty');
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(tiny)) fs.copyFileSync(path.join(tiny, f), path.join(dst, f));
  const meta = JSON.parse(fs.readFileSync(path.join(dst, 'model.json'), 'utf8'));
  Object.assign(meta, { id: 'tiny-chatty', thresholds, pair_policy: 'best' });
  fs.writeFileSync(path.join(dst, 'model.json'), JSON.stringify(meta));
  return dst;
}
const model = chattyCopy();

const { CLINICAL_NOTE, CLINICAL_PROBES, defaultClinicalModel } = await import('./lspClient.mjs');
const clinical = await defaultClinicalModel();

function erlens(...args) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'erlens'), ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_offline: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// A document made of memorised CoNLL04 sentences, with Markdown around them and an emoji before all of them.
const gold = fs.readFileSync(path.join(shared, 'data', 'conll04', 'train.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 20).map((l) => JSON.parse(l));
const docPath = path.join(tmp, 'doc.md');
const docText = '😀\n\n# News\n\n' + gold.map((s) => s.tokens.join(' ')).join('\n\n') + '\n\n```\ncode block\n```\n';
fs.writeFileSync(docPath, docText);
const goldPath = path.join(tmp, 'gold.jsonl');
fs.writeFileSync(goldPath, gold.map((s) => JSON.stringify(s)).join('\n') + '\n');

test('extract --format json: UTF-16 offsets into the file, head/tail index the entities', () => {
  const r = erlens('extract', docPath, '--model', model, '--format', 'json', '--execution-provider', 'cpu');
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  const doc = out.documents[0];
  assert.ok(doc.entities.length > 0);
  for (const e of doc.entities) {
    assert.equal(docText.slice(e.start, e.end), e.text);
    assert.equal(e.startCodePoint, e.start >= 2 ? e.start - 1 : e.start, 'one emoji (two UTF-16 units) first');
    assert.equal(typeof e.type, 'string');
    assert.ok(e.score >= thresholds.entity && e.score <= 1);
  }
  for (const rel of doc.relations) assert.ok(doc.entities[rel.head] && doc.entities[rel.tail]);
  assert.ok(!doc.entities.some((e) => e.text.includes('code')), 'code blocks are not annotated');
  assert.match(r.err, /1 file\(s\), \d+ sentences, \d+ entities/);
});

test('extract: jsonl (one document per line), csv, ntriples to --out, brat folder', () => {
  const jl = erlens('extract', docPath, docPath, '--model', model, '--format', 'jsonl');
  assert.equal(jl.code, 0, jl.err);
  const lines = jl.out.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]).entities, JSON.parse(lines[1]).entities);

  const csvPath = path.join(tmp, 'out.csv');
  const csv = erlens('extract', docPath, '--model', model, '--format', 'csv', '--out', csvPath);
  assert.equal(csv.code, 0, csv.err);
  assert.equal(csv.out, '', 'with --out nothing goes to stdout');
  assert.ok(fs.readFileSync(csvPath, 'utf8').startsWith('subject,predicate,object,subject_type,object_type,subject_start,subject_end,object_start,object_end,confidence,source_uri,sentence_index,assertion,assertion_trigger\r\n'));

  const nt = erlens('extract', docPath, '--model', model, '--format', 'ntriples');
  assert.equal(nt.code, 0, nt.err);
  for (const l of nt.out.trimEnd().split('\n').filter(Boolean)) assert.match(l, /^<urn:erlens:[^>]+> <[^>]+> .+ \.$/);

  const bratDir = path.join(tmp, 'brat');
  const brat = erlens('extract', docPath, '--model', model, '--format', 'brat', '--out', bratDir);
  assert.equal(brat.code, 0, brat.err);
  assert.equal(fs.readFileSync(path.join(bratDir, 'doc.txt'), 'utf8'), docText);
  assert.match(fs.readFileSync(path.join(bratDir, 'annotation.conf'), 'utf8'), /^\[attributes\]\nNegated Arg:<ENTITY>$/m);
  const ann = fs.readFileSync(path.join(bratDir, 'doc.ann'), 'utf8');
  const cps = Array.from(docText);
  for (const l of ann.split('\n').filter((x) => x.startsWith('T'))) {
    const [, spec, shown] = l.split('\t');
    const [, a, b] = spec.split(' ');
    assert.equal(cps.slice(Number(a), Number(b)).join(''), shown);
  }
});

// The text output's wording (annotations/wording.ts): whitespace collapsed, at most 60 characters.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const short = (t) => {
  const oneLine = t.replace(/\s+/g, ' ').trim();
  return escape(oneLine.length <= 60 ? oneLine : `${oneLine.slice(0, 59)}…`);
};

test('extract --format text (npm run demo): per sentence its entities and its relations as head → type → tail, as the JSON has them', () => {
  const json = erlens('extract', docPath, '--model', model, '--format', 'json');
  assert.equal(json.code, 0, json.err);
  const doc = JSON.parse(json.out).documents[0];
  assert.ok(doc.entities.length > 0 && doc.relations.length > 0, 'the chatty tiny model finds entities and relations');
  const r = erlens('extract', docPath, '--model', model, '--format', 'text');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  // The file as given (relative to the working folder), the counts and the model.
  assert.match(lines[0], new RegExp(`^doc\\.md: \\d+ sentences, ${doc.entities.length} entit(y|ies), ${doc.relations.length} relations? \\(tiny-chatty\\)$`));
  // Sentences in order, each with its entities (type, assertion), then its relations; within a sentence
  // both keep the document's order (the exports' and the code lenses').
  const bySentence = (items) => [...items].sort((a, b) => a.sentence - b.sentence);
  const sentences = lines.filter((l) => /^  \[\d+\] /.test(l)).map((l) => Number(/\[(\d+)\]/.exec(l)[1]));
  assert.deepEqual(sentences, [...new Set(bySentence(doc.entities).map((e) => e.sentence))]);
  const rows = lines.filter((l) => l.startsWith('    '));
  const isRelation = (l) => l.includes(' → ') || l.includes(' ↔ ');
  const entityRows = rows.filter((l) => !isRelation(l));
  const relationRows = rows.filter(isRelation);
  const entities = bySentence(doc.entities);
  assert.equal(entityRows.length, entities.length);
  entities.forEach((e, i) => assert.match(entityRows[i], new RegExp(`^    ${short(e.text)}(@${e.start})? +${escape(e.type)} +${e.assertion}\\b`), `entity ${i}`));
  const relations = bySentence(doc.relations);
  assert.equal(relationRows.length, relations.length);
  relations.forEach((rel, i) => {
    const [head, tail] = [doc.entities[rel.head], doc.entities[rel.tail]];
    const arrow = rel.symmetric ? '↔' : '→';
    assert.match(relationRows[i], new RegExp(`^    ${short(head.text)}(@${head.start})? ${arrow} ${escape(rel.type)} ${arrow} ${short(tail.text)}(@${tail.start})? +${rel.assertion}\\b.* \\d\\.\\d\\d$`), `relation ${i}`);
    assert.ok(Math.abs(Number(relationRows[i].split(' ').pop()) - rel.score) <= 0.005 + 1e-9, `relation ${i}'s score`);
  });
  assert.match(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.demo, /extract .* --format text$/, 'the demo prints this format');
});

// Every other architecture's tiny package, as shipped (no threshold tweaks): the memorised sentences come
// back with their entities; a one-token sentence, punctuation only and a run-on sentence over max_words
// give a valid (possibly empty) result and no warning.
const oddPath = path.join(tmp, 'odd.md');
const oddText = oddInputDocument();
fs.writeFileSync(oddPath, oddText);
for (const arch of tinyArchitectures) {
  test(`extract with the tiny ${arch} package: memorised entities found, odd input handled`, () => {
    const r = erlens('extract', docPath, oddPath, '--model', tinyPackageOf(arch), '--format', 'jsonl', '--execution-provider', 'cpu');
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /warning|failed/i);
    assert.match(r.err, new RegExp(`2 file\\(s\\), \\d+ sentences, \\d+ entities, \\d+ relations \\(tiny-${arch} on cpu\\)`));
    const [doc, odd] = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    for (const [d, text] of [[doc, docText], [odd, oddText]]) {
      for (const e of d.entities) assert.equal(text.slice(e.start, e.end), e.text);
      for (const rel of d.relations) assert.ok(d.entities[rel.head] && d.entities[rel.tail] && rel.head !== rel.tail);
    }
    const found = new Set(doc.entities.map((e) => `${e.text}|${e.type}`));
    const wanted = gold.flatMap((s) => s.entities.map((e) => `${s.tokens.slice(e.start, e.end).join(' ')}|${e.type}`));
    const hits = wanted.filter((k) => found.has(k)).length;
    assert.ok(hits >= wanted.length / 2, `${hits} of ${wanted.length} memorised entities found`);
    assert.ok(doc.relations.length > 0, 'memorised sentences give relations');
  });
}

test('extract with the clinical default model: assertion status on every entity and relation; --assertions filters', { skip: !clinical && 'no clinical package among the default models' }, () => {
  const note = path.join(tmp, 'visit.md');
  fs.writeFileSync(note, CLINICAL_NOTE);
  const run = (...extra) => {
    const r = erlens('extract', note, '--model', clinical, '--format', 'json', '--execution-provider', 'cpu', ...extra);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out).documents[0];
  };
  const all = run();
  const statuses = ['present', 'negated', 'possible', 'hypothetical', 'historical', 'family'];
  for (const x of [...all.entities, ...all.relations]) assert.ok(statuses.includes(x.assertion), JSON.stringify(x));
  let probed = 0;
  for (const p of CLINICAL_PROBES) {
    const e = all.entities.find((x) => x.start >= p.start && x.end <= p.end);
    if (!e) continue;
    probed++;
    assert.equal(e.assertion, p.status, p.text);
    if (p.trigger) assert.deepEqual([e.assertionTrigger.text, CLINICAL_NOTE.slice(e.assertionTrigger.start, e.assertionTrigger.end)], [p.trigger, p.trigger]);
  }
  assert.ok(probed >= 4, `${probed} probe mentions found`);
  const affirmed = run('--assertions', 'affirmed');
  const kept = (d) => d.relations.map((r) => r.assertion);
  assert.deepEqual(kept(affirmed), kept(all).filter((s) => ['present', 'historical', 'possible'].includes(s)));
  for (const e of affirmed.entities) {
    const used = affirmed.relations.some((r) => affirmed.entities[r.head] === e || affirmed.entities[r.tail] === e);
    assert.ok(['present', 'historical', 'possible'].includes(e.assertion) || used, `${e.text} (${e.assertion}) kept only as an argument`);
  }
  assert.ok(all.entities.some((e) => e.assertion === 'negated'), 'the note has a negated mention');
  assert.ok(affirmed.entities.length < all.entities.length, 'affirmed drops the negated and hypothetical mentions');
  const present = run('--assertions', 'present');
  assert.ok(present.relations.every((r) => r.assertion === 'present'));
  assert.ok(present.entities.length <= affirmed.entities.length && affirmed.entities.length <= all.entities.length);
});

test('predict keeps ids and tokens; eval prints the headline last', () => {
  const predPath = path.join(tmp, 'pred.jsonl');
  const p = erlens('predict', '--model', model, '--input', goldPath, '--output', predPath);
  assert.equal(p.code, 0, p.err);
  const preds = fs.readFileSync(predPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(preds.length, gold.length);
  preds.forEach((s, i) => {
    assert.equal(s.id, gold[i].id);
    assert.equal(s.orig_id, gold[i].orig_id);
    assert.deepEqual(s.tokens, gold[i].tokens);
    for (const e of s.entities) assert.ok(e.start < e.end && e.end <= s.tokens.length);
  });

  const reportPath = path.join(tmp, 'report.json');
  const e = erlens('eval', '--model', model, '--data', goldPath, '--report', reportPath);
  assert.equal(e.code, 0, e.err);
  const last = e.out.trimEnd().split('\n').pop();
  assert.match(last, /^ner_micro=\d+\.\d\d re_micro=\d+\.\d\d ner_macro=\d+\.\d\d re_macro=\d+\.\d\d$/);
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
  assert.equal(report.sentences, gold.length);
  assert.equal(last, `ner_micro=${report.headline.ner_micro.toFixed(2)} re_micro=${report.headline.re_micro.toFixed(2)} ner_macro=${report.headline.ner_macro.toFixed(2)} re_macro=${report.headline.re_macro.toFixed(2)}`);
  assert.ok(report.report.ner.per_type.Peop, 'per-type scores for the gold types');

  // eval scores what predict wrote: recompute NER TP from the prediction file
  let tp = 0;
  preds.forEach((s, i) => {
    const g = new Set(gold[i].entities.map((x) => `${x.start}:${x.end}:${x.type}`));
    tp += new Set(s.entities.map((x) => `${x.start}:${x.end}:${x.type}`).filter((k) => g.has(k))).size;
  });
  assert.equal(report.report.ner.micro.tp, tp);
});

test('models lists packages with architecture and dataset', () => {
  const r = erlens('models', '--models-dir', path.dirname(model));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /tiny-chatty\s+mge\s+wordchar:erlens-wordchar\s+conll04-tiny/);
  const j = erlens('models', '--json', '--models-dir', path.dirname(model));
  assert.ok(JSON.parse(j.out).packages.some((p) => p.id === 'tiny-chatty' && p.architecture === 'mge'));
});

test('bench writes a JSON report with cold/warm/edit numbers', () => {
  const out = path.join(tmp, 'bench.json');
  const r = erlens('bench', '--model', model, '--providers', 'cpu', '--sentences', '60', '--out', out);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(report.document.sentences, 60);
  const cpu = report.results.find((x) => x.requested === 'cpu');
  assert.equal(cpu.available, true);
  // a sentence that occurs twice in the document is inferred once
  assert.ok(cpu.cold.inferred > 0 && cpu.cold.inferred <= 60);
  assert.ok(cpu.cold.sentences_per_second > 0);
  assert.equal(cpu.warm.inferred, 0);
  assert.ok(cpu.edit.inferred <= 1);
  assert.ok(cpu.rss_mb_after_document > 0);
  // ConText's cost per sentence, in the report and the printed line
  assert.ok(cpu.assertion.microseconds_per_sentence > 0 && cpu.assertion.microseconds_per_sentence_cached > 0);
  assert.ok(cpu.assertion.share_of_cold_annotation >= 0);
  assert.match(r.out, /assertion status \(ConText\) [\d.]+ µs per sentence with entities, [\d.]+ µs cached/);
});

test('bench --lsp drives the server over stdio and reports cold, edit, burst and memory numbers', () => {
  const out = path.join(tmp, 'bench-lsp.json');
  const r = erlens('bench', '--lsp', '--model', model, '--execution-provider', 'cpu', '--sentences', '120', '--edits', '5', '--burst', '50', '--fuzz', '4', '--out', out);
  assert.equal(r.code, 0, r.err + r.out);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.deepEqual(report.load.models, ['tiny-chatty']);
  assert.equal(report.cold.sentences, 120);
  assert.ok(report.cold.first_diagnostics_ms > 0 && report.cold.first_diagnostics_ms <= report.cold.complete_ms);
  assert.ok(report.cold.requests_during.hover.count >= 1);
  assert.equal(report.edits.count, 5);
  assert.ok(report.edits.p50 > 0 && report.edits.p50 <= report.edits.max);
  assert.ok(report.edits.sentences_inferred.max <= 2, 'a one-word edit re-infers its sentence, not the note');
  assert.equal(report.burst.edits, 50);
  assert.ok(report.burst.settle_ms >= 0);
  assert.equal(report.memory.edits, 1000);
  assert.equal(report.memory.series.at(-1).edits, 1000);
  assert.ok(report.memory.rss_after_cold_idle_mb > 0 && report.memory.rss_after_edits_idle_mb > 0);
  const growth = (100 * (report.memory.rss_after_edits_idle_mb - report.memory.rss_after_cold_idle_mb)) / report.memory.rss_after_cold_idle_mb;
  assert.ok(Math.abs(report.memory.growth_pct - growth) <= 0.051, `growth ${report.memory.growth_pct}% is the idle RSS after the edits against the one after the cold analysis (${growth})`);
  assert.ok(report.memory.idle.heap_committed_mb >= report.memory.idle.heap_mb && report.memory.idle.worker_heap_mb > 0, 'what the heaps hold of the RSS');
  assert.ok(report.close.rss_mb > 0);
  assert.equal(report.close.worker_documents, 0, 'the closed note is forgotten by the worker');
  assert.equal(report.fuzz.documents, 4);
  assert.deepEqual(report.fuzz.failures, []);
  assert.ok(report.fuzz.requests.count === 12 && report.fuzz.max_rss_mb > 0);
  assert.ok(report.pathological.segmentation_ms.brackets['40000'] >= 0);
  assert.ok(report.pathological.server.complete_ms > 0);
  assert.ok(report.machine.load_average_start.length === 3);
});

test('extract: a missing file among several is reported, the others are extracted, the exit is 1', () => {
  const r = erlens('extract', docPath, 'missing.md', '--model', model, '--format', 'jsonl');
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /erlens extract: file not found: missing\.md/);
  assert.match(r.err, /1 file\(s\), \d+ sentences/);
  assert.match(r.err, /1 file\(s\) could not be read/);
  assert.ok(r.out.length > 0, 'the readable file is still extracted');
});

test('stream: JSONL on stdin, one record per document on stdout, the same fields as extract --format jsonl', () => {
  const text = fs.readFileSync(docPath, 'utf8');
  const input = [JSON.stringify({ id: 'by-path', path: docPath }), '', JSON.stringify({ id: 7, text, language: 'markdown' }), '{oops'].join('\r\n') + '\r\n';
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'erlens'), 'stream', '--model', model], { cwd: tmp, input, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const [byPath, byText, broken, ...rest] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rest.length, 0);
  const extracted = JSON.parse(erlens('extract', docPath, '--model', model, '--format', 'jsonl').out);
  const { id, line, ...fields } = byPath;
  assert.deepEqual([id, line], ['by-path', 1]);
  assert.deepEqual(fields, extracted);
  assert.deepEqual([byText.id, byText.line, byText.uri], [7, 3, 'erlens-stream:7']);
  assert.deepEqual(byText.entities, extracted.entities, 'text given inline reads as the file does');
  assert.deepEqual([broken.id, broken.line], [null, 4]);
  assert.match(broken.error, /^not JSON/);
  assert.match(r.stderr, /erlens stream: 3 documents \(1 with errors\)/);
});

test('an unknown model id lists the installed ones', () => {
  const r = erlens('extract', docPath, '--model', 'no-such-model', '--models-dir', path.dirname(model));
  assert.equal(r.code, 1);
  assert.match(r.err, /not installed \(looked in .*; installed: .*tiny-chatty/);
});

test('user errors: one line, non-zero exit, no stack trace', () => {
  const cases = [
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['extract'], 2, /extract needs at least one file/],
    [['extract', 'missing.md', '--model', model], 2, /file not found: missing\.md/],
    [['extract', docPath, '--format', 'xml', '--model', model], 2, /--format must be one of/],
    [['extract', docPath, '--format', 'brat', '--model', model], 2, /give a folder with --out/],
    [['extract', docPath, '--bogus'], 2, /Unknown option '--bogus'/],
    [['extract', docPath, '--model', 'no-such-model'], 1, /model package 'no-such-model': not installed/],
    [['eval', '--data', goldPath], 2, /eval needs exactly one --model/],
    [['eval', '--model', model, '--data', path.join(tmp, 'nope.jsonl')], 1, /data file not found/],
    [['predict', '--model', model, '--input', docPath, '--output', path.join(tmp, 'x.jsonl')], 1, /doc\.md:1: not valid JSON/],
    [['extract', docPath, '--model', model, '--execution-provider', 'tpu'], 2, /--execution-provider must be/],
    [['extract', docPath, '--model', model, '--assertions', 'negated'], 2, /--assertions must be one of all, affirmed, present/],
    [['serve'], 2, /serve needs --stdio/],
    [['stream', '--model', model, '--concurrency', '0'], 2, /--concurrency must be a whole number above 0/],
    [['stream', '--model', model, '--language', 'html'], 2, /--language must be markdown or plaintext/],
    [['stream', '--model', model, '--input', path.join(tmp, 'nope.jsonl')], 2, /file not found: .*nope\.jsonl/],
    [['stream', 'docs.jsonl'], 2, /Unexpected argument 'docs\.jsonl'/],
  ];
  for (const [args, code, re] of cases) {
    const r = erlens(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});

test('a corrupt package among good ones is a warning, not a failure', () => {
  const bad = path.join(tmp, 'models', 'broken');
  fs.mkdirSync(bad, { recursive: true });
  for (const f of fs.readdirSync(model)) fs.copyFileSync(path.join(model, f), path.join(bad, f));
  fs.appendFileSync(path.join(bad, 'model.onnx'), 'garbage');
  const r = erlens('extract', docPath, '--model', bad, '--model', model, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: model package 'tiny-chatty': checksum mismatch/);
  assert.ok(JSON.parse(r.out).documents[0].entities.length > 0);
});

test('serve --stdio starts the language server and answers initialize', { skip: !fs.existsSync(path.join(root, 'server', 'out', 'lsp', 'server.js')) && 'no language server in this build' }, async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'erlens'), 'serve', '--stdio'], { cwd: tmp });
  try {
    const reply = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('no reply in 20 s')), 20_000);
      child.stdout.on('data', (d) => {
        buf += d;
        const m = /Content-Length: (\d+)\r\n\r\n/.exec(buf);
        if (m && buf.length >= m.index + m[0].length + Number(m[1])) {
          clearTimeout(timer);
          resolve(JSON.parse(buf.slice(m.index + m[0].length, m.index + m[0].length + Number(m[1]))));
        }
      });
      const msg = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
      child.stdin.write(`Content-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
    });
    assert.equal(reply.id, 1);
    assert.ok(reply.result.capabilities);
  } finally {
    child.kill();
  }
});
