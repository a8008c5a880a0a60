// Runs inside desktop VS Code's extension host (loaded by @vscode/test-electron through
// --extensionTestsPath): checks the deptrust extension through the vscode API, with node:assert
// and no test framework. run() rejecting fails the run.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');

const TIMEOUT_MS = 30000;

async function waitFor(what, probe) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function hoverText(hovers) {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

const checks = [];
function check(name, body) {
  checks.push({ name, body });
}

/** Expected 1-based lines, computed by test/electron/run.ts from the fixture. */
const expect = JSON.parse(process.env.DEPTRUST_EXPECT || '{}');
let uri;

check('the extension activates', async () => {
  const extension = vscode.extensions.getExtension('deptrust.deptrust');
  assert.ok(extension, 'deptrust.deptrust is not installed in the development host');
  await extension.activate();
  assert.equal(extension.isActive, true);
});

check('package-lock.json: Error on the revoked entry, Information on the unknown', async () => {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'no workspace folder open');
  uri = vscode.Uri.joinPath(folder.uri, 'package-lock.json');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));

  const diagnostics = await waitFor('deptrust diagnostics on package-lock.json', () => {
    const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'deptrust');
    return ours.length >= 2 ? ours : undefined;
  });
  const at = (line) => diagnostics.filter((d) => d.range.start.line === line - 1);

  const leftPad = at(expect.leftPad);
  assert.equal(leftPad.length, 1, `one diagnostic on line ${expect.leftPad}`);
  assert.equal(leftPad[0].severity, vscode.DiagnosticSeverity.Error);
  assert.equal(String(leftPad[0].code), 'untrusted');
  assert.match(leftPad[0].message, /^left-pad@1\.3\.0 is untrusted/);

  const debug = at(expect.debug);
  assert.equal(debug.length, 1, `one diagnostic on line ${expect.debug}`);
  assert.equal(debug[0].severity, vscode.DiagnosticSeverity.Information);

  assert.equal(at(expect.lodash).length, 0, 'the notarized lodash entry has no diagnostic');
});

check('the hover on the revoked entry names the verdict and the purl', async () => {
  const hovers = await vscode.commands.executeCommand(
    'vscode.executeHoverProvider',
    uri,
    new vscode.Position(expect.leftPad - 1, 8),
  );
  const text = hoverText(hovers);
  assert.match(text, /untrusted/);
  assert.match(text, /pkg:npm\/left-pad@1\.3\.0/);
});

check('the Trust quick fix on the unknown entry removes its diagnostic', async () => {
  const position = new vscode.Position(expect.debug - 1, 8);
  const actions = await vscode.commands.executeCommand(
    'vscode.executeCodeActionProvider',
    uri,
    new vscode.Range(position, position),
    vscode.CodeActionKind.QuickFix.value,
  );
  const trust = actions.find((a) => a.title.startsWith('Trust debug@4.4.0'));
  assert.ok(trust, `quick fixes: ${actions.map((a) => a.title).join(', ')}`);
  await vscode.commands.executeCommand(trust.command.command, ...(trust.command.arguments || []));
  await waitFor('the diagnostic on debug to go', () => {
    const left = vscode.languages
      .getDiagnostics(uri)
      .filter((d) => d.source === 'deptrust' && d.range.start.line === expect.debug - 1);
    return left.length === 0 ? true : undefined;
  });
});

async function run() {
  const failures = [];
  for (const { name, body } of checks) {
    try {
      await body();
      console.log(`ok - ${name}`);
    } catch (err) {
      failures.push(name);
      console.log(`not ok - ${name}\n${err && err.stack ? err.stack : err}`);
    }
  }
  console.log(`${checks.length - failures.length} of ${checks.length} passed`);
  if (failures.length) throw new Error(`${failures.length} failed: ${failures.join('; ')}`);
}

module.exports = { run };
