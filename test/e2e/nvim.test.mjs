// A second real editor: headless Neovim (Debian's 0.7) attached to `bin/erlens serve --stdio`, the CLI
// path of the language server, with settings as initializationOptions (test/e2e/nvim-e2e.lua).
// Skipped — saying why — only where Neovim is not installed and cannot be installed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conllDocument, repoRoot, tinyModelDir } from '../lspClient.mjs';

function neovim() {
  const has = () => spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;
  if (has()) return undefined;
  if (process.getuid?.() === 0) spawnSync('bash', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim'], { stdio: 'ignore', timeout: 600_000 });
  return has() ? undefined : 'Neovim is not installed and could not be installed with apt-get';
}

test('ERlens in headless Neovim over `erlens serve --stdio`', { timeout: 180_000 }, async (t) => {
  const why = neovim();
  if (why) {
    console.log(`# nvim e2e skipped: ${why}`);
    t.skip(why);
    return;
  }
  const corpus = await conllDocument(6);
  const annie = corpus.sentences.find((s) => s.text.startsWith('Annie Oakley'));
  const next = corpus.sentences.find((s) => s !== annie && s.gold.relations.length > 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erlens-nvim-'));
  try {
    const file = path.join(dir, 'note.md');
    fs.writeFileSync(file, `# Notes\n\n${annie.text}\n`);
    const result = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(repoRoot, 'test', 'e2e', 'nvim-e2e.lua'), file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 150_000,
      env: {
        ...process.env,
        LSP_CMD: `${path.join(repoRoot, 'bin', 'erlens')} serve --stdio`,
        ERLENS_MODEL: tinyModelDir,
        PERSON: 'Annie Oakley',
        LENS_PREFIX: 'Annie Oakley → Live_In → Willowdell , Darke County',
        NEXT_SENTENCE: next.text,
      },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    for (const line of output.split('\n')) if (/^(ok|not ok) - |passed, /.test(line)) console.log(`# ${line}`);
    assert.equal(result.status, 0, output.slice(-3000));
    assert.match(output, /\d+ passed, 0 failed/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
