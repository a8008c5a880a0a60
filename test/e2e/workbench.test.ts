// Proves the harness: code-server serves the workbench to Chromium, the packaged extension is
// installed with `--install-extension` and its extension host activates it on a workspace that
// holds a lockfile.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Editor, EXTENSION_ID, packageExtension, waitFor } from './harness';

let editor: Editor | undefined;
let workspace: string;

before(async () => {
  const vsix = packageExtension();
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-e2e-ws-'));
  fs.copyFileSync(
    path.join(__dirname, 'fixtures', 'workspace', 'go.sum'),
    path.join(workspace, 'go.sum'),
  );
  const ledger = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-e2e-ledger-'));
  editor = await Editor.start({
    workspace,
    vsix,
    settings: { 'deptrust.ledger.path': ledger },
  });
});

after(async () => {
  await editor?.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});

test('the workbench shows the workspace folder', async () => {
  const rows = await waitFor('the explorer to list go.sum', async () => {
    const texts = await editor!.page
      .locator('.explorer-folders-view .monaco-list-row')
      .allInnerTexts();
    return texts.some((r) => r.trim() === 'go.sum') ? texts : undefined;
  });
  assert.ok(rows.includes('go.sum'), rows.join(', '));
});

test('the extension host activates the packaged extension on a workspace with a go.sum', async () => {
  const line = await waitFor('the activation of deptrust in the extension host log', () => {
    const log = editor!.extensionHostLog();
    return log.split('\n').find((l) => l.includes(`_doActivateExtension ${EXTENSION_ID},`));
  });
  assert.match(line, /activationEvent: 'workspaceContains:[^']*go\.sum/);
  assert.doesNotMatch(
    editor!.extensionHostLog(),
    new RegExp(`Activating extension '?${EXTENSION_ID}'? failed`, 'i'),
  );
});

test('the Extensions view lists deptrust as installed', async () => {
  const names = await editor!.installedExtensions();
  await editor!.screenshot('workbench-extensions');
  assert.ok(names.includes('deptrust'), `installed: ${names.join(', ')}`);
});

test('a palette command of the extension runs and its notification shows', async () => {
  // No identity has been created in this editor, so Show Identity says so in a toast.
  await editor!.runCommand('deptrust: Show Identity');
  const toasts = await waitFor('a deptrust notification', async () => {
    const texts = await editor!.notifications();
    return texts.some((t) => /deptrust.*identity/i.test(t)) ? texts : undefined;
  });
  await editor!.screenshot('workbench-notification');
  assert.ok(toasts.some((t) => /no identity/i.test(t)), toasts.join(' | '));
});
