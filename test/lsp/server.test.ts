import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { createIdentity } from '../../server/src/identity/identity';
import { CLI, LspSession, tempHome } from '../helpers/lspClient';
import { readManifest, sharedPath } from '../helpers/shared';

const CORPUS_FILES = [
  'npm/scalibr__bundled-dependencies.v3.json',
  'go/trivy__gomod_many.go.sum',
  'rubygems/trivy__Gemfile_normal.lock',
  'maven/scalibr__with-dependency-management.xml',
];

function msg(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** Entries of a corpus file an editor checks against the ledger (local packages are not). */
function checkedEntries(file: string) {
  const m = readManifest().find((f) => f.file === file);
  assert.ok(m, `${file} is in the manifest`);
  return m.entries.filter((e) => !['local-package', 'link'].includes(e.extras.kind ?? '') && e.extras.source !== 'PATH');
}

describe('language server over stdio', () => {
  let home: string;
  let ledger: string;
  let identity: string;
  let lsp: LspSession;

  before(async () => {
    home = tempHome();
    ledger = path.join(home, 'ledger');
    identity = path.join(home, 'identity.json');
    createIdentity('lsp-test', { path: identity });
    lsp = await LspSession.start({ DEPTRUST_HOME: home, DEPTRUST_LEDGER: ledger, DEPTRUST_IDENTITY: identity });
  });

  after(async () => {
    const code = await lsp.stop();
    fs.rmSync(home, { recursive: true, force: true });
    assert.equal(code, 0, 'the server exits cleanly after shutdown/exit');
  });

  for (const file of CORPUS_FILES) {
    test(`publishes one diagnostic per unknown entry of ${file}`, async () => {
      const uri = lsp.open(sharedPath('corpus', file));
      const diagnostics = await lsp.diagnosticsFor(uri);
      const expected = checkedEntries(file);
      const unknown = diagnostics.filter((d) => d.code === 'unknown');
      assert.equal(unknown.length, expected.length, JSON.stringify(diagnostics.map(msg)));
      for (const e of expected) {
        const hit = unknown.find((d) => d.range.start.line === e.range.start.line && d.range.start.character === e.range.start.character);
        assert.ok(hit, `a diagnostic at ${e.name}@${e.version} line ${e.range.start.line + 1}`);
        // The squiggle sits on the entry's first line; a single-line entry keeps its whole range.
        if (e.range.start.line === e.range.end.line) assert.deepEqual(hit.range, e.range);
        else assert.equal(hit.range.end.line, e.range.start.line);
        assert.equal(hit.severity, 3, 'unknown is Information');
      }
    });
  }

  test('Distrust then Trust through code actions, and a hover', async () => {
    const file = sharedPath('corpus', 'npm/scalibr__bundled-dependencies.v3.json');
    const uri = lsp.open(file);
    const before = await lsp.diagnosticsFor(uri);
    const target = before.find((d) => msg(d).startsWith('semver@7.7.2'));
    assert.ok(target, 'semver has a diagnostic');

    const actions = (await lsp.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: target.range,
      context: { diagnostics: [target] },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Trust semver@7.7.2'), titles.join(', '));
    const distrust = actions.find((a) => a.title === 'Distrust semver@7.7.2');
    assert.ok(distrust?.command);

    await lsp.connection.sendRequest('workspace/executeCommand', distrust.command);
    const untrusted = await lsp.until('semver to become an Error', () => {
      const d = lsp.diagnostics.get(uri)?.diagnostics.find((x: Diagnostic) => msg(x).startsWith('semver@7.7.2'));
      return d && d.code === 'untrusted' ? d : undefined;
    });
    assert.equal(untrusted.severity, 1, 'untrusted is an Error');
    assert.match(msg(untrusted), /vetoed by lsp-test/);

    const hover = (await lsp.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: untrusted.range.start.line + 1, character: 8 },
    })) as Hover;
    const text = typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
    assert.match(text, /semver@7\\\.7\\\.2\*\* — \*\*untrusted\*\*/);
    assert.match(text, /lsp\\-test\*\*: untrusted/);
    assert.match(text, /Ledger: embedded/);

    const again = (await lsp.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: untrusted.range,
      context: { diagnostics: [untrusted] },
    })) as CodeAction[];
    const trust = again.find((a) => a.title === 'Trust semver@7.7.2');
    assert.ok(trust?.command);
    await lsp.connection.sendRequest('workspace/executeCommand', trust.command);
    await lsp.until('semver diagnostic to go away', () =>
      !lsp.diagnostics.get(uri)?.diagnostics.some((x: Diagnostic) => msg(x).startsWith('semver@7.7.2')),
    );
  });

  test('the source action trusts every unknown entry after a confirmation', async () => {
    const file = sharedPath('corpus', 'maven/scalibr__with-multiple-classifiers.xml');
    const uri = lsp.open(file);
    const before = await lsp.diagnosticsFor(uri);
    assert.equal(before.filter((d) => d.code === 'unknown').length, 2);
    const request = () =>
      lsp.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source'] },
      }) as Promise<CodeAction[]>;
    const [action] = await request();
    assert.equal(action.title, 'Trust all 2 unknown dependencies in this file…');

    lsp.answerWith = 'Cancel';
    assert.equal(await lsp.connection.sendRequest('workspace/executeCommand', action.command), 0, 'nothing trusted when cancelled');
    lsp.answerWith = 'Trust 2';
    assert.equal(await lsp.connection.sendRequest('workspace/executeCommand', action.command), 2);
    await lsp.until('no diagnostics left', () => lsp.diagnostics.get(uri)?.diagnostics.length === 0);
    assert.deepEqual(await request(), [], 'no source action once nothing is unknown');
  });

  test('a broken edit keeps the last good verdicts and shows where the file breaks', async () => {
    const file = sharedPath('corpus', 'rubygems/trivy__Gemfile_normal.lock');
    const text = fs.readFileSync(file, 'utf8');
    const uri = lsp.open(file, text);
    const good = await lsp.diagnosticsFor(uri);
    const entries = good.filter((d) => d.code === 'unknown').length;
    assert.ok(entries > 0);

    const broken = text.replace('GEM\n', '<<<<<<< HEAD\nGEM\n');
    await lsp.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: broken }],
    });
    const after = await lsp.diagnosticsFor(uri, 2);
    const errors = after.filter((d) => d.severity === 1);
    assert.equal(errors.length, 1, JSON.stringify(after));
    assert.equal(errors[0].range.start.line, 0, 'the error sits on the conflict marker');
    assert.equal(after.filter((d) => d.code === 'unknown').length, entries, 'the last good verdicts stay');
  });

  test('a revocation written by another process reaches the open document', async () => {
    const file = sharedPath('corpus', 'go/trivy__gomod_many.go.sum');
    const uri = lsp.open(file);
    await lsp.diagnosticsFor(uri);
    const started = Date.now();
    execFileSync(process.execPath, [CLI, 'revoke', 'pkg:golang/github.com/stretchr/testify@v1.7.0', '--ledger', ledger, '--reason', 'test'], {
      env: { ...process.env, DEPTRUST_HOME: home, DEPTRUST_IDENTITY: identity },
    });
    const hit = await lsp.until('testify to become untrusted', () => {
      const list = lsp.diagnostics.get(uri)?.diagnostics.filter((d: Diagnostic) => d.code === 'untrusted' && msg(d).includes('testify'));
      return list && list.length > 0 ? list : undefined;
    });
    const elapsed = Date.now() - started;
    assert.equal(hit.length, 2, 'both go.sum lines of testify v1.7.0 (zip and go.mod) are untrusted');
    assert.ok(elapsed < 5000, `reached the editor in ${elapsed} ms`);
  });
});
