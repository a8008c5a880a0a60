// The extension in real VS Code (code-server in Chromium): squiggles and Problems on the right
// lockfile entries, the hover, the Trust quick fix, the Revoke Trust command, the status bar,
// and diagnostics that follow an edit. The ledger is seeded beforehand with the real CLI.
//
// The tests share one editor and run in order: each one starts from the ledger the previous
// ones left (the quick fix trusts debug, the palette command revokes lodash).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test as nodeTest } from 'node:test';
import {
  Editor,
  packageExtension,
  SCREENSHOTS,
  waitFor,
  type ProblemRow,
  type Squiggle,
} from './harness';
import { columnOf, deptrust, lineOf, makeWorkspace } from './workspace';

const ACTOR = 'e2e-reviewer';
const LEFT_PAD_REASON = 'unpublished from the registry in 2016';

const NPM = {
  debug: lineOf('package-lock.json', '"node_modules/debug"'),
  leftPad: lineOf('package-lock.json', '"node_modules/left-pad"'),
  lodash: lineOf('package-lock.json', '"node_modules/lodash"'),
  ms: lineOf('package-lock.json', '"node_modules/ms"'),
  msIntegrity: lineOf('package-lock.json', '"integrity": "sha512-6Flz'),
};
const GEM = {
  minitest: lineOf('Gemfile.lock', 'minitest (5.16.3)'),
  powerAssert: lineOf('Gemfile.lock', 'power_assert (2.0.3)'),
  rake: lineOf('Gemfile.lock', 'rake (13.0.6)'),
  rexml: lineOf('Gemfile.lock', 'rexml (3.2.5)'),
  testUnit: lineOf('Gemfile.lock', 'test-unit (3.5.7)'),
};
// A POM entry's range is its <dependency> element, which starts the line before <groupId>.
const POM = {
  commonsLang: lineOf('pom.xml', '<groupId>org.apache.commons</groupId>') - 1,
  guava: lineOf('pom.xml', '<groupId>com.google.guava</groupId>') - 1,
  junit: lineOf('pom.xml', '<groupId>junit</groupId>') - 1,
};

let editor: Editor;
let workspace: string;
let home: string;
let failed = false;

before(async () => {
  const vsix = packageExtension();
  workspace = makeWorkspace();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-e2e-home-'));
  const ledger = path.join(home, 'ledger');
  const env = { DEPTRUST_HOME: home };

  // With no policy file, records signed by this machine's identity count.
  deptrust(['identity', 'create', '--name', ACTOR], env);

  const at = (file: string, line: number) => `${path.join(workspace, file)}:${line}`;
  deptrust(
    [
      'notarize',
      at('package-lock.json', NPM.lodash),
      at('package-lock.json', NPM.ms),
      at('go.sum', 1),
      at('go.sum', 2),
      at('Gemfile.lock', GEM.rake),
      'pkg:maven/junit/junit@4.13.2',
      '--ledger',
      ledger,
    ],
    env,
  );
  deptrust(
    [
      'revoke',
      at('package-lock.json', NPM.leftPad),
      '--reason',
      LEFT_PAD_REASON,
      '--ledger',
      ledger,
    ],
    env,
  );

  editor = await Editor.start({
    workspace,
    vsix,
    env,
    settings: { 'deptrust.ledger.path': ledger },
  });
});

after(async () => {
  // After a failure the folders stay for a post-mortem: code-server.log, the extension host's
  // logs under user-data/logs, the ledger under the home folder.
  await editor?.close({ keepFiles: failed });
  if (failed) {
    process.stderr.write(`e2e: kept ${editor?.root}, ${workspace} and ${home}\n`);
    return;
  }
  for (const dir of [workspace, home]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A test that leaves a screenshot of the editor as it failed, `FAILED-<name>.png`. */
function test(name: string, body: () => Promise<void>): void {
  const shot = `FAILED-${name.replace(/[^a-z0-9.]+/gi, '-').slice(0, 60)}`;
  nodeTest(name, async () => {
    fs.rmSync(path.join(SCREENSHOTS, `${shot}.png`), { force: true });
    try {
      await body();
    } catch (err) {
      failed = true;
      await editor?.screenshot(shot).catch(() => undefined);
      throw err;
    }
  });
}

/** Waits until the deptrust status bar item shows exactly `text` (after its shield icon). */
async function statusBecomes(text: string): Promise<string> {
  let seen: string[] = [];
  try {
    return await waitFor(`the status bar to show "${text}"`, async () => {
      seen = await editor.statusBarItems();
      return seen.find((item) => item === text || item.endsWith(` ${text}`));
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; status bar items: ${JSON.stringify(seen)}`);
  }
}

/** The deptrust rows of the Problems panel for one workspace file, as `severity@line`. */
async function problemsOf(file: string): Promise<ProblemRow[]> {
  const all = await editor.problems(`**/${file}`);
  return all.filter((p) => p.source === 'deptrust' && path.basename(p.file) === file);
}

function summary(rows: ProblemRow[]): string[] {
  return rows.map((r) => `${r.severity}@${r.line}`).sort();
}

async function problemsBecome(file: string, expected: string[]): Promise<ProblemRow[]> {
  let rows: ProblemRow[] = [];
  try {
    const what = `the Problems panel to list ${expected.join(', ')} for ${file}`;
    return await waitFor(what, async () => {
      rows = await problemsOf(file);
      const got = summary(rows);
      return JSON.stringify(got) === JSON.stringify([...expected].sort()) ? rows : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; panel: ${JSON.stringify(rows, null, 1)}`);
  }
}

async function squigglesBecome(line: number, expected: Squiggle[]): Promise<void> {
  let got: Squiggle[] = [];
  try {
    await waitFor(`squiggles [${expected}] on line ${line}`, async () => {
      got = [...new Set(await editor.squigglesOn(line))];
      return JSON.stringify(got) === JSON.stringify(expected) ? true : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; found [${got}]`);
  }
}

test('package-lock.json: squiggles and Problems on the untrusted and unknown entries', async () => {
  await editor.openFile('package-lock.json');
  await statusBecomes('2 trusted · 1 unknown · 1 untrusted');

  const rows = await problemsBecome('package-lock.json', [
    `error@${NPM.leftPad}`,
    `info@${NPM.debug}`,
  ]);
  const leftPad = rows.find((r) => r.line === NPM.leftPad)!;
  assert.match(leftPad.message, /^left-pad@1\.3\.0 is untrusted: /);
  assert.ok(leftPad.message.includes(LEFT_PAD_REASON), leftPad.message);
  assert.ok(leftPad.message.includes(ACTOR), leftPad.message);
  assert.equal(leftPad.code, 'untrusted');
  assert.equal(leftPad.column, columnOf('package-lock.json', NPM.leftPad, '"node_modules/'));
  const debug = rows.find((r) => r.line === NPM.debug)!;
  assert.match(debug.message, /^debug@4\.4\.0 is unknown/);
  await editor.screenshot('package-lock-problems');

  await squigglesBecome(NPM.leftPad, ['error']);
  await squigglesBecome(NPM.debug, ['info']);
  await squigglesBecome(NPM.lodash, []);
  await squigglesBecome(NPM.ms, []);
});

test('go.sum, Gemfile.lock and pom.xml: the same findings in squiggles and Problems', async () => {
  await editor.openFile('go.sum');
  await statusBecomes('2 trusted · 4 unknown');
  await problemsBecome('go.sum', ['info@3', 'info@4', 'info@5', 'info@6']);
  await squigglesBecome(1, []);
  await squigglesBecome(3, ['info']);

  await editor.openFile('Gemfile.lock');
  await statusBecomes('1 trusted · 4 unknown');
  await problemsBecome(
    'Gemfile.lock',
    [GEM.minitest, GEM.powerAssert, GEM.rexml, GEM.testUnit].map((l) => `info@${l}`),
  );
  await squigglesBecome(GEM.rake, []);
  await squigglesBecome(GEM.rexml, ['info']);

  await editor.openFile('pom.xml');
  await statusBecomes('1 trusted · 2 unknown');
  const rows = await problemsBecome('pom.xml', [`info@${POM.commonsLang}`, `info@${POM.guava}`]);
  assert.ok(rows.some((r) => r.message.startsWith('com.google.guava:guava@33.0.0-jre is unknown')));
  await squigglesBecome(POM.junit, []);
  await squigglesBecome(POM.guava, ['info']);
  await editor.screenshot('pom-problems');
});

test('hover on an untrusted entry shows its verdict, who decided and why', async () => {
  await editor.openFile('package-lock.json');
  await editor.closePanel();
  const text = await editor.hover(NPM.leftPad, 8, /Ledger:/);
  await editor.screenshot('hover-untrusted', '.part.editor');
  assert.match(text, /left-pad@1\.3\.0/);
  assert.match(text, /untrusted/);
  assert.ok(text.includes(ACTOR), text);
  assert.ok(text.includes(LEFT_PAD_REASON), text);
  assert.match(text, /pkg:npm\/left-pad@1\.3\.0/);
  await editor.dismiss();
});

test('the Trust quick fix on an unknown entry removes its squiggle', async () => {
  await editor.openFile('package-lock.json');
  const fixes = await editor.quickFixes(NPM.debug, 8);
  await editor.screenshot('quick-fix-menu');
  assert.ok(fixes.some((f) => f.startsWith('Trust debug@4.4.0')), `quick fixes: ${fixes}`);

  await editor.applyQuickFix('Trust debug@4.4.0');
  await statusBecomes('3 trusted · 1 untrusted');
  await squigglesBecome(NPM.debug, []);
  await problemsBecome('package-lock.json', [`error@${NPM.leftPad}`]);
});

test('the palette command "deptrust: Revoke Trust" puts an Error on the entry', async () => {
  await editor.openFile('package-lock.json');
  await editor.closePanel();
  await editor.goTo(NPM.lodash, 8);
  await editor.runCommand('deptrust: Revoke Trust');
  await editor.answerInputBox('maintainer account taken over');

  await statusBecomes('2 trusted · 2 untrusted');
  await squigglesBecome(NPM.lodash, ['error']);
  const rows = await problemsBecome('package-lock.json', [
    `error@${NPM.leftPad}`,
    `error@${NPM.lodash}`,
  ]);
  const lodash = rows.find((r) => r.line === NPM.lodash)!;
  assert.ok(lodash.message.includes('maintainer account taken over'), lodash.message);
  await editor.screenshot('revoked-error');
});

test('editing an entry in the editor updates its diagnostics before saving', async () => {
  await editor.openFile('package-lock.json');
  await editor.closePanel();
  await squigglesBecome(NPM.ms, []);

  // Change one character of ms's integrity: same version, different content than trusted.
  const column = columnOf('package-lock.json', NPM.msIntegrity, 'sha512-') + 'sha512-'.length;
  await editor.goTo(NPM.msIntegrity, column);
  await editor.page.keyboard.press('Shift+ArrowRight');
  await editor.insertText('X');
  await squigglesBecome(NPM.ms, ['error']);
  const rows = await problemsBecome('package-lock.json', [
    `error@${NPM.leftPad}`,
    `error@${NPM.lodash}`,
    `error@${NPM.ms}`,
  ]);
  assert.equal(rows.find((r) => r.line === NPM.ms)?.code, 'mismatch');
  await statusBecomes('1 trusted · 2 untrusted · 1 mismatch');
  await editor.screenshot('edited-mismatch');

  await editor.focusEditor();
  await editor.page.keyboard.press('Control+Z');
  await squigglesBecome(NPM.ms, []);
  await statusBecomes('2 trusted · 2 untrusted');
});

test('a malformed line typed into go.sum gets a positioned error until it is deleted', async () => {
  await editor.openFile('go.sum');
  await editor.closePanel();
  const unknown = ['info@3', 'info@4', 'info@5', 'info@6'];
  await problemsBecome('go.sum', unknown);

  await editor.focusEditor();
  await editor.page.keyboard.press('Control+End');
  await editor.insertText('github.com/broken/mod v1.0.0 h1:not-a-hash');
  // While the line is being typed it is short of fields; wait for the finished line's verdict.
  const broken = await waitFor('the typed line to be checked whole', async () => {
    const rows = await problemsBecome('go.sum', [...unknown, 'error@7']);
    const row = rows.find((r) => r.line === 7);
    return row?.code === 'GOSUM_BAD_HASH' ? row : undefined;
  });
  assert.match(broken.message, /h1:not-a-hash/);
  await squigglesBecome(7, ['error']);
  await editor.screenshot('go-sum-malformed');

  // Undo would go word by word; select the typed line and delete it instead.
  await editor.focusEditor();
  await editor.page.keyboard.press('Control+End');
  await editor.page.keyboard.press('Shift+Home');
  await editor.page.keyboard.press('Delete');
  await problemsBecome('go.sum', unknown);
  await squigglesBecome(7, []);
});
