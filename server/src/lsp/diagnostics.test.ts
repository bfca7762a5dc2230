import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extensionRoot } from '../paths';
import { relationTypeLink } from './diagnostics';

test('every relation type of every shipped package links to its own section of docs/relation-types.md', () => {
  const types = new Set<string>();
  const models = path.join(extensionRoot, 'models');
  for (const dir of fs.readdirSync(models)) {
    const manifest = path.join(models, dir, 'model.json');
    if (fs.existsSync(manifest)) for (const t of JSON.parse(fs.readFileSync(manifest, 'utf8')).relation_types as string[]) types.add(t);
  }
  assert.ok(types.size >= 2, [...types].join(', '));
  for (const type of types) {
    const link = new URL(relationTypeLink(type));
    const doc = fs.readFileSync(fileURLToPath(link), 'utf8');
    const slugs = [...doc.matchAll(/^## (.+)$/gm)].map((m) => '#' + m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}_ -]/gu, '').replace(/ /g, '-'));
    assert.ok(slugs.includes(link.hash), `${type}: ${link.hash} is not a heading of relation-types.md (${slugs.join(' ')})`);
  }
});
