// package.json's contributes (settings and commands) against the typed sources they must agree with:
// lsp/settings.ts (keys, defaults, enums) and lsp/protocol.ts (command ids).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRoot } from '../paths';
import { COMMANDS } from './protocol';
import { DEFAULT_SETTINGS, normalizeSettings, SETTING_KEYS, SETTING_VALUES } from './settings';
import type { ErlensSettings } from './settings';

const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8'));
const declared: Record<string, { default?: unknown; enum?: unknown[]; items?: { enum?: unknown[] }; anyOf?: { enum?: unknown[] }[] }> =
  Object.assign({}, ...manifest.contributes.configuration.map((c: { properties: object }) => c.properties));

test('package.json declares exactly the settings the server reads, with the same defaults', () => {
  const keys = Object.keys(SETTING_KEYS) as (keyof ErlensSettings)[];
  assert.deepEqual(Object.keys(declared).sort(), keys.map((k) => `erlens.${SETTING_KEYS[k]}`).sort());
  for (const key of keys) assert.deepEqual(declared[`erlens.${SETTING_KEYS[key]}`].default, DEFAULT_SETTINGS[key], `default of erlens.${SETTING_KEYS[key]}`);
});

test("package.json's enums list the values the server accepts", () => {
  for (const [key, values] of Object.entries(SETTING_VALUES) as [keyof ErlensSettings, readonly string[]][]) {
    const p = declared[`erlens.${SETTING_KEYS[key]}`];
    const listed = p.enum ?? p.items?.enum ?? p.anyOf?.find((a) => a.enum)?.enum;
    assert.deepEqual(listed, [...values], `enum of erlens.${SETTING_KEYS[key]}`);
  }
});

test('every setting is read from its declared key, dotted or nested', () => {
  const sample: Partial<Record<keyof ErlensSettings, unknown>> = { threads: 3, cacheMegabytes: 64, trace: 'verbose', exportDirectory: 'out', codeLensMaxPerSentence: 7 };
  for (const [key, value] of Object.entries(sample) as [keyof ErlensSettings, unknown][]) {
    assert.equal(normalizeSettings({ [SETTING_KEYS[key]]: value })[key], value, SETTING_KEYS[key]);
  }
  assert.equal(normalizeSettings({ trace: { server: 'messages' } }).trace, 'messages');
});

test('package.json contributes exactly the commands of the protocol', () => {
  assert.deepEqual(manifest.contributes.commands.map((c: { command: string }) => c.command).sort(), Object.values(COMMANDS).sort());
});

test('the walkthrough: every step has its page, the sample note exists, and the VSIX allowlist ships them', () => {
  const root = extensionRoot;
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.ok(walkthrough.steps.length >= 3);
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  for (const step of walkthrough.steps) {
    assert.ok(fs.existsSync(path.join(root, step.media.markdown)), step.media.markdown);
  }
  assert.ok(walkthrough.steps[0].description.includes(`command:${COMMANDS.openSampleNote}`));
  assert.ok(fs.existsSync(path.join(root, 'examples', 'clinical-note.md')));
  for (const allowed of ['!media/walkthrough/*.md', '!examples/clinical-note.md', '!docs/relation-types.md']) assert.ok(ignore.includes(allowed), allowed);
});
