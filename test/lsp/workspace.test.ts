import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { createIdentity } from '../../server/src/identity/identity';
import { fileUri, LspSession, tempHome } from '../helpers/lspClient';
import { sharedPath } from '../helpers/shared';

describe('language server: workspace lockfiles nobody opened', () => {
  let home: string;
  let root: string;
  let lsp: LspSession;

  before(async () => {
    home = tempHome();
    root = path.join(home, 'repo');
    // A small monorepo: two packages with lockfiles, one excluded folder, installed packages.
    for (const dir of ['apps/web', 'apps/api', 'legacy', 'node_modules/x']) fs.mkdirSync(path.join(root, dir), { recursive: true });
    const lock = fs.readFileSync(sharedPath('corpus', 'npm', 'scalibr__optional-package.v2.json'));
    fs.writeFileSync(path.join(root, 'apps/web/package-lock.json'), lock);
    fs.writeFileSync(path.join(root, 'legacy/package-lock.json'), lock);
    fs.writeFileSync(path.join(root, 'node_modules/x/package-lock.json'), lock);
    fs.copyFileSync(sharedPath('corpus', 'go', 'trivy__gomod_many.go.sum'), path.join(root, 'apps/api/go.sum'));
    const identity = path.join(home, 'identity.json');
    createIdentity('workspace-test', { path: identity });
    lsp = await LspSession.start(
      { DEPTRUST_HOME: home, DEPTRUST_LEDGER: path.join(home, 'ledger'), DEPTRUST_IDENTITY: identity },
      { exclude: ['legacy/**', '**/node_modules/**'] },
      [root],
    );
  });

  after(async () => {
    await lsp.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('every workspace lockfile gets diagnostics without being opened; excludes hold', async () => {
    const web = fileUri(path.join(root, 'apps/web/package-lock.json'));
    const api = fileUri(path.join(root, 'apps/api/go.sum'));
    const webDiagnostics = await lsp.until('web diagnostics', () => lsp.diagnostics.get(web)?.diagnostics);
    const apiDiagnostics = await lsp.until('api diagnostics', () => lsp.diagnostics.get(api)?.diagnostics);
    assert.equal(webDiagnostics.filter((d) => d.code === 'unknown').length, 2);
    assert.equal(apiDiagnostics.filter((d) => d.code === 'unknown').length, 24);
    assert.ok(!lsp.diagnostics.has(fileUri(path.join(root, 'legacy/package-lock.json'))), 'excluded folder');
    assert.ok(!lsp.diagnostics.has(fileUri(path.join(root, 'node_modules/x/package-lock.json'))), 'installed packages');
  });

  test('a CodeLens sums up the lockfile', async () => {
    const web = fileUri(path.join(root, 'apps/web/package-lock.json'));
    await lsp.until('web diagnostics', () => lsp.diagnostics.get(web));
    const lenses = (await lsp.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: web } })) as CodeLens[];
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command?.title, 'deptrust: 2 unknown');
    assert.equal(lenses[0].command?.command, 'deptrust.showNotTrusted');
  });

  test('a lockfile changed on disk is checked again', async () => {
    const file = path.join(root, 'apps/api/go.sum');
    const uri = fileUri(file);
    await lsp.until('api diagnostics', () => lsp.diagnostics.get(uri));
    fs.writeFileSync(file, 'github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n');
    await lsp.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    await lsp.until('one entry left', () => lsp.diagnostics.get(uri)?.diagnostics.length === 1);
    fs.rmSync(file);
    await lsp.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }] });
    await lsp.until('diagnostics cleared', () => lsp.diagnostics.get(uri)?.diagnostics.length === 0);
  });
});
