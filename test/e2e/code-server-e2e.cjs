// ERlens in a real VS Code workbench (code-server) driven by Debian Chromium through playwright-core.
// Opens the example note like a user (Quick Open), then checks what ERlens itself renders: the semantic
// token colour of a person, an information squiggle, the hover, the code actions (corrections), a code lens
// whose click selects the other argument, that fenced code stays unannotated, the Export Triples command,
// the relation graph webview, the "Relations Of…" view of the workspace index, the walkthrough's sample
// note, Select Models and the log. Screenshots of each go to <outDir>.
// Usage (via run-code-server-e2e.sh): node code-server-e2e.cjs <baseUrl> <folder> <file> <outDir>
// Env: E2E_EXPECT (JSON: { person, personColor, lensPrefix, tailText, codeOnlyWord, drug?, drugColor? })
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [baseUrl, folder, fileName, outDir] = process.argv.slice(2);
const expect = JSON.parse(process.env.E2E_EXPECT || '{}');
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const results = [];
function check(name, ok, detail) {
  results.push({ name, ok });
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ' :: ' + detail : ''}`);
}

/** Spans of the editor whose text is exactly `text` (a semantic token is one span). */
// Monaco renders spaces as U+00A0 inside spans, so a space in `text` matches either.
const spanWithText = (page, text) => page.locator('.monaco-editor .view-line span span').filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ \u00a0]')}$`) });

async function colourOf(locator, want, tries = 100) {
  let colour = '';
  for (let i = 0; i < tries; i++) {
    colour = await locator.evaluate((el) => getComputedStyle(el).color).catch(() => '');
    if (colour === want) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return colour;
}

async function runPalette(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 30000 });
  await page.keyboard.press('Enter');
}

/**
 * On a failure, what a person looking at the screen would see, in one line for the CI log (which keeps only
 * the ok/not ok lines): the open tabs, the notifications, and the end of the ERlens output channel.
 */
async function whatTheWorkbenchShows(page) {
  const texts = async (selector) => (await page.locator(selector).allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const tabs = await texts('.tabs-container .tab .label-name');
  const toasts = await texts('.notifications-toasts .notification-list-item-message');
  let output = '';
  try {
    await runPalette(page, 'ERlens: Show Output');
    const lines = page.locator('.output-view .view-lines, [id="workbench.panel.output"] .view-lines').first();
    await lines.waitFor({ timeout: 10000 });
    output = (await lines.innerText()).replace(/\s+/g, ' ').slice(-800);
  } catch (e) {
    output = `(output channel not readable: ${String(e).split('\n')[0]})`;
  }
  return `tabs: [${tabs.join(', ')}]; notifications: [${toasts.join(' | ').slice(0, 400)}]; ERlens output: ${output}`;
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => log('pageerror', String(e).slice(0, 200)));
  try {
    await page.goto(`${baseUrl}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget', { state: 'visible' });
    await page.keyboard.type(fileName);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${fileName}"]`, { timeout: 30000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.monaco-editor .view-lines .view-line', { timeout: 30000 });
    log('editor open');

    // Code lens from the server: `Annie Oakley → Live_In → Willowdell , Darke County`.
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: expect.lensPrefix });
    await lens.first().waitFor({ timeout: 120000 });
    const lensText = await lens.first().innerText();
    check('code lens rendered', lensText.startsWith(expect.lensPrefix), lensText);
    log('code lens');

    // Diagnostics: an information squiggle per relation.
    const squiggle = page.locator('.monaco-editor .squiggly-info');
    await squiggle.first().waitFor({ state: 'attached', timeout: 30000 }).catch(() => {});
    check('relation diagnostic squiggle rendered', (await squiggle.count()) > 0, `${await squiggle.count()} squiggles`);

    // Semantic token colour: settings give erlensPerson a colour no theme uses.
    const person = spanWithText(page, expect.person).first();
    await person.waitFor({ timeout: 30000 });
    const colour = await colourOf(person, expect.personColor);
    check('semantic token colour on a person', colour === expect.personColor, `${expect.person}: ${colour}`);

    // The same name inside a fenced code block must stay uncoloured (Markdown-aware segmentation).
    if (expect.codeOnlyWord) {
      // Tokenised as an entity it would be a span of its own in the person colour.
      const codeWord = spanWithText(page, expect.codeOnlyWord);
      const colours = await codeWord.evaluateAll((els) => els.map((el) => getComputedStyle(el).color));
      const line = page.locator('.monaco-editor .view-line', { hasText: expect.codeOnlyWord });
      check('fenced code is not annotated', (await line.count()) > 0 && !colours.includes(expect.personColor), `${expect.codeOnlyWord}: ${colours.join(', ') || 'no separate span'}`);
    }

    if (expect.drug) {
      const drug = spanWithText(page, expect.drug).first();
      const found = await drug.waitFor({ timeout: 20000 }).then(() => true, () => false);
      const c = found ? await colourOf(drug, expect.drugColor, 50) : 'no single span';
      check(`shipped clinical model colours the drug "${expect.drug}"`, c === expect.drugColor, c);
    }

    // Hover over the person.
    const box = await person.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover', { hasText: 'Peop' });
    await hover.first().waitFor({ state: 'visible', timeout: 30000 });
    const hoverText = (await hover.first().innerText()).replace(/\s+/g, ' ');
    check('hover shows type, score and relations', /Peop/.test(hoverText) && /score 0\.\d\d/.test(hoverText) && hoverText.includes(expect.tailText), hoverText.slice(0, 300));
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(outDir, 'hover.png') });
    log('hover screenshot');

    // Code actions on the person (Quick Fix, Ctrl+.): the corrections the server offers; none is applied
    // here (the checks below read the model's annotations).
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await person.click();
    await page.keyboard.press('Control+Period');
    const actions = page.locator('.action-widget', { hasText: 'is not Peop' });
    const offered = await actions.first().waitFor({ state: 'visible', timeout: 20000 }).then(() => true, () => false);
    const actionText = offered ? (await actions.first().innerText()).replace(/\s+/g, ' ') : await whatTheWorkbenchShows(page);
    check('code actions on an entity offer the corrections', offered && /is not Peop/.test(actionText) && /ignore/i.test(actionText), actionText.slice(0, 300));
    await page.screenshot({ path: path.join(outDir, 'code-actions.png') });
    await page.keyboard.press('Escape');

    // Clicking the lens selects the other argument: the status bar reports the selection length.
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await lens.first().click();
    const selected = page.locator('.statusbar-item', { hasText: `(${expect.tailText.length} selected)` });
    const sel = await selected.first().waitFor({ timeout: 15000 }).then(() => true, () => false);
    check('code lens click selects the other argument', sel, sel ? await selected.first().innerText() : 'no selection status');

    // Language status item ({} next to "Markdown"): models, execution provider, cache counters.
    await page.keyboard.press('Escape');
    const languageStatus = page.locator('[id="status.languageStatus"]');
    await languageStatus.first().hover();
    const statusHover = page.locator('.monaco-hover, .context-view', { hasText: 'ERlens:' });
    const shown = await statusHover.first().waitFor({ state: 'visible', timeout: 15000 }).then(() => true, () => false);
    const statusText = shown ? (await statusHover.first().innerText()).replace(/\s+/g, ' ') : 'no language status hover';
    check('language status shows models, provider and cache counts', shown && /ERlens: .*tiny-mge/.test(statusText) && /cpu · cache \d+ hits \/ \d+ misses/.test(statusText), statusText.slice(0, 200));
    await page.screenshot({ path: path.join(outDir, 'language-status.png') });
    await page.mouse.move(5, 5);

    // ERlens: Export Triples from the palette → scope pick → formats pick → notification.
    await runPalette(page, 'ERlens: Export Triples');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Current document"]', { timeout: 30000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="jsonl"]', { timeout: 30000 });
    await page.keyboard.press('Enter'); // accept the pre-selected formats
    // The save dialog (code-server's simple file dialog) opens in the configured folder with the
    // document's name: accept it as it is.
    const saveInput = page.locator('.quick-input-widget input');
    const proposed = await page.waitForFunction(() => {
      const input = document.querySelector('.quick-input-widget input');
      return input && /erlens-export/.test(input.value) ? input.value : false;
    }, null, { timeout: 30000 }).then((h) => h.jsonValue(), () => '');
    check('Export Triples asks where to save, in the export folder, with the note\'s name', /erlens-export\/note\.json$/.test(String(proposed)), String(proposed));
    await page.screenshot({ path: path.join(outDir, 'export-save-dialog.png') });
    await saveInput.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: 'ERlens exported' });
    await toast.first().waitFor({ timeout: 60000 });
    const toastText = (await toast.first().innerText()).replace(/\s+/g, ' ');
    const exportDir = path.join(folder, 'erlens-export');
    const written = fs.existsSync(exportDir) ? fs.readdirSync(exportDir) : [];
    check('Export Triples wrote every format', ['.json', '.jsonl', '.csv', '.nt', '.ann', '.txt'].every((ext) => written.some((f) => f.endsWith(ext))), `${toastText.slice(0, 160)} :: ${written.join(', ')}`);
    await page.screenshot({ path: path.join(outDir, 'export.png') });

    // ERlens: Show Relation Graph: a webview beside the note draws its entities and relations; clicking a
    // node selects its mention in the editor.
    await runPalette(page, 'ERlens: Show Relation Graph');
    const webview = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
    const graphBox = webview.locator('#graph[data-first-node]');
    const drawn = await graphBox.first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    const nodes = drawn ? Number(await graphBox.getAttribute('data-nodes')) : 0;
    const csp = drawn ? await webview.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content') : '';
    // webview.cspSource is VS Code's own resource origin ('self' and its vscode-cdn.net pattern): no
    // inline code, no eval, and no other origin (no CDN of ours).
    const origins = csp.split(';').flatMap((d) => d.trim().split(/\s+/).slice(1)).filter((o) => !["'none'", "'self'", 'data:'].includes(o));
    check('relation graph webview draws the entities (strict CSP, nothing inline or remote)', drawn && nodes >= 2 && /default-src 'none'/.test(csp) && !/unsafe/.test(csp) && origins.every((o) => /^https:\/\/\*\.vscode-cdn\.net$/.test(o)), `${nodes} nodes; ${csp}`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(outDir, 'relation-graph.png') });
    if (drawn) {
      const first = JSON.parse(await graphBox.getAttribute('data-first-node'));
      await graphBox.click({ position: { x: first.x, y: first.y } });
      const selectedNow = page.locator('.statusbar-item', { hasText: /selected\)/ });
      const revealed = await selectedNow.first().waitFor({ timeout: 15000 }).then(() => true, () => false);
      check('clicking a graph node selects its mention in the editor', revealed, revealed ? `${first.label}: ${await selectedNow.first().innerText()}` : `${first.label}: no selection`);
    }

    // ERlens: Relations Of… (the workspace index): asked about the person (the pick among the indexed entity
    // texts, or the editor's selection if one is left), the Explorer view lists the relation with its file;
    // selecting it selects the argument in the editor.
    await runPalette(page, 'ERlens: Relations Of');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: expect.person });
    if (await pick.first().waitFor({ timeout: 10000 }).then(() => true, () => false)) {
      await page.keyboard.type(expect.person);
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
    }
    const relationsView = page.locator('.pane', { hasText: 'ERlens: Relations' });
    const relationRow = relationsView.locator('.monaco-list-row', { hasText: /note\.md:\d+/ });
    const relationsListed = await relationRow.first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    const rowsShown = relationsListed ? (await relationsView.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' | ') : await whatTheWorkbenchShows(page);
    check('Relations Of… lists the relation across the workspace with its file', relationsListed && (rowsShown.includes(expect.tailText) || rowsShown.includes(expect.person)), rowsShown.slice(0, 300));
    await page.screenshot({ path: path.join(outDir, 'relations-view.png') });
    if (relationsListed) {
      await relationRow.first().click();
      const selectedArg = page.locator('.statusbar-item', { hasText: /selected\)/ });
      const revealedArg = await selectedArg.first().waitFor({ timeout: 15000 }).then(() => true, () => false);
      check('selecting a relation in the view selects its argument in the note', revealedArg, revealedArg ? await selectedArg.first().innerText() : 'no selection');
    }

    // The walkthrough's first step: the bundled sample note opens as a new document and is analysed.
    await runPalette(page, 'ERlens: Open a Sample Clinical Note');
    const sample = page.locator('.view-lines', { hasText: 'Follow-up visit' });
    const opened = await sample.first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    check('the walkthrough opens the sample note as a new document', opened, opened ? 'Follow-up visit' : 'not shown');
    await page.screenshot({ path: path.join(outDir, 'sample-note.png') });

    // ERlens: Select Models lists the installed packages, the active one picked.
    await runPalette(page, 'ERlens: Select Models');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'tiny-mge' });
    const listed = await row.first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    const checked = listed ? await row.first().locator('input[type=checkbox], .monaco-checkbox').first().evaluate((el) => el.checked ?? el.classList.contains('checked')).catch(() => undefined) : undefined;
    const rows = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').slice(0, 60));
    check('Select Models lists installed packages with the active one picked', listed && checked === true, `${rows.join(' | ')} :: checked=${checked}`);
    await page.keyboard.press('Escape');

    // ERlens: Show Output opens the log channel, which names the models and the provider (and no note text).
    await runPalette(page, 'ERlens: Show Output');
    const outputView = page.locator('.output-view, [id="workbench.panel.output"]');
    const logged = await outputView.locator('.view-lines', { hasText: 'loaded models' }).first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    const outText = logged ? (await outputView.locator('.view-lines').first().innerText()).replace(/\s+/g, ' ') : '';
    check('Show Output opens the ERlens log', logged && /on cpu/.test(outText) && !outText.includes('Annie Oakley'), outText.slice(0, 200));
    await page.screenshot({ path: path.join(outDir, 'output.png') });
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'failure.png') }).catch(() => {});
    check('no exception', false, `${String(e).split('\n')[0]} :: ${await whatTheWorkbenchShows(page)}`);
  } finally {
    await ctx.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log('done');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
