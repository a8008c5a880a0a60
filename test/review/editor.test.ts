// The Dependency Review view in real VS Code (code-server in Chromium, with the built-in git
// extension): the staged change is listed with its verdict, the view's badge and message warn
// before the commit, and the inline Trust action records a decision and refreshes the verdict.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Editor, packageExtension, REPO_ROOT, SCREENSHOTS, waitFor } from '../e2e/harness';
import { packageLock, Sandbox } from './helpers';

let editor: Editor | undefined;
const s = new Sandbox('e2e-reviewer');

/** Keeps what the page showed when a step failed, for whoever reads the failure. */
async function screenshot(name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await editor?.page
    .screenshot({ path: path.join(SCREENSHOTS, `review-${name}.png`) })
    .catch(() => undefined);
}

before(async () => {
  const extension = fs.readFileSync(path.join(REPO_ROOT, 'client', 'src', 'extension.ts'), 'utf8');
  assert.match(
    extension,
    /registerReview\(context, client\)/,
    'client/src/extension.ts must call registerReview(context, client) from ./review',
  );
  const vsix = packageExtension();
  s.write('package-lock.json', packageLock([{ name: 'alpha', version: '1.0.0' }]));
  s.trustAll('package-lock.json');
  s.commit('baseline', 'package-lock.json');
  s.write(
    'package-lock.json',
    packageLock([
      { name: 'alpha', version: '1.0.0' },
      { name: 'bravo', version: '2.0.0' },
    ]),
  );
  s.git('add', 'package-lock.json');
  editor = await Editor.start({
    workspace: s.repo,
    vsix,
    settings: { 'git.enabled': true, 'deptrust.ledger.path': s.env.DEPTRUST_LEDGER },
    env: {
      DEPTRUST_HOME: s.home,
      DEPTRUST_IDENTITY: s.env.DEPTRUST_IDENTITY!,
      DEPTRUST_LEDGER: s.env.DEPTRUST_LEDGER!,
    },
  });
});

after(async () => {
  await editor?.close();
  s.remove();
});

/** The text of the Dependency Review pane (header, message and rows). */
async function reviewPane(): Promise<string> {
  const pane = editor!.page
    .locator('.pane')
    .filter({ has: editor!.page.locator('.pane-header', { hasText: 'Dependency Review' }) });
  return (
    await pane
      .first()
      .innerText()
      .catch(() => '')
  ).replace(/\s+/g, ' ');
}

test('the command opens the review in Source Control with the staged change and a warning', async () => {
  const title = 'deptrust: Review Staged Dependency Changes';
  // The palette lists the command once the extension host has read the extension's manifest.
  await waitFor(
    'the palette to offer the review command',
    async () => {
      const titles = await editor!.paletteTitles('Review Staged');
      await editor!.page.keyboard.press('Escape');
      return titles.includes(title) ? true : undefined;
    },
    60_000,
  );
  try {
    await editor!.runCommand(title);
  } catch (err) {
    await screenshot('open');
    throw err;
  }
  let text: string;
  try {
    text = await waitFor(
      'the review to list bravo',
      async () => {
        const t = await reviewPane();
        return /bravo/.test(t) && /unknown/.test(t) ? t : undefined;
      },
      60_000,
    );
  } catch (err) {
    await screenshot('open');
    throw err;
  }
  assert.match(text, /\+ 2\.0\.0 · unknown/);
  assert.match(text, /1 staged dependency change is not trusted/);
});

test('Trust on the change records a decision and the verdict follows', async () => {
  const page = editor!.page;
  let text: string;
  try {
    const row = page.locator('.pane .monaco-list-row').filter({ hasText: 'bravo' }).first();
    await row.hover();
    await row.locator('.action-label[aria-label="Trust"]').click();
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Trust' }).first().click();
    text = await waitFor(
      'bravo to be trusted',
      async () => {
        const t = await reviewPane();
        return /2\.0\.0 · trusted/.test(t) ? t : undefined;
      },
      30_000,
    );
  } catch (err) {
    await screenshot('trust');
    throw err;
  }
  assert.doesNotMatch(text, /not trusted/);
  const cli = s.deptrust('review', '--staged');
  assert.equal(cli.status, 0, cli.stdout + cli.stderr);
});
