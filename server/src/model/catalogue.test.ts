import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyPackage, tempDir, tinyPackageDir } from '../testing/fixtures';
import { PackageCatalogue } from './catalogue';

test('catalogue: user folders come first, the first package of an id wins, a broken model.json is said as such', () => {
  const install = tempDir();
  const shipped = copyPackage(tinyPackageDir, 'shared-id', (m) => (m.id = 'shared-id'), path.join(install, 'models'));
  copyPackage(tinyPackageDir, 'only-shipped', (m) => (m.id = 'only-shipped'), path.join(install, 'models'));
  const user = tempDir();
  const mine = copyPackage(tinyPackageDir, 'shared-id', (m) => (m.id = 'shared-id'), user);
  const truncated = copyPackage(tinyPackageDir, 'truncated', () => undefined, user);
  fs.writeFileSync(path.join(truncated, 'model.json'), '{"id": "trunc');

  const catalogue = new PackageCatalogue({ userDirs: [user], extensionRoot: install });
  assert.deepEqual(catalogue.roots, [user, path.join(install, 'models')]);
  assert.deepEqual(catalogue.list().map((p) => [p.id, p.dir]), [['shared-id', mine], ['only-shipped', path.join(install, 'models', 'only-shipped')]]);
  assert.equal(catalogue.resolve('shared-id'), mine);
  assert.notEqual(catalogue.resolve('shared-id'), shipped);
  assert.deepEqual(catalogue.broken().map((b) => b.dir), [truncated]);

  const { found, problems } = catalogue.locate(['only-shipped', 'truncated', 'absent', mine]);
  assert.deepEqual(found.map((p) => p.id), ['only-shipped', 'shared-id']);
  assert.equal(problems.length, 2);
  assert.match(problems[0].message, /^model package 'truncated': .*model\.json is unreadable JSON/);
  assert.match(problems[1].message, /^model package 'absent': not installed \(looked in .*; installed: shared-id, only-shipped\)$/);
});
