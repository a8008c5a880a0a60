// The team ledger end to end: two actors under one policy share an immudb server; a revocation
// written by the security team through the CLI reaches the developer's open lockfile in the
// language server, and a stopped server turns the answers stale, never trusted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { createIdentity } from '../../server/src/identity/identity';
import { ImmudbServer } from '../helpers/immudb';
import { CLI, LspSession, tempHome } from '../helpers/lspClient';
import { sharedPath } from '../helpers/shared';

const PASSWORD = 'immudb';

function text(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

describe('team ledger on immudb: one revocation reaches another developer\'s editor', () => {
  let server: ImmudbServer;
  let home: string;
  let repo: string;
  let lockfile: string;
  let security: string;
  let developer: string;
  let lsp: LspSession;

  const cli = (identity: string, ...args: string[]) =>
    execFileSync(process.execPath, [CLI, ...args, '--immudb', server.address], {
      encoding: 'utf8',
      env: { ...process.env, DEPTRUST_HOME: path.join(home, path.basename(identity, '.json')), DEPTRUST_IDENTITY: identity, DEPTRUST_IMMUDB_PASSWORD: PASSWORD },
    });

  before(async () => {
    server = await ImmudbServer.start();
    home = tempHome();
    security = path.join(home, 'security.json');
    developer = path.join(home, 'developer.json');
    const sec = createIdentity('security-team', { path: security });
    const dev = createIdentity('dana', { path: developer });

    // A repository whose policy names both: the security team vetoes, one developer trusts.
    repo = path.join(home, 'repo');
    fs.mkdirSync(path.join(repo, '.deptrust'), { recursive: true });
    fs.mkdirSync(path.join(repo, '.git'));
    fs.writeFileSync(
      path.join(repo, '.deptrust', 'policy.json'),
      JSON.stringify({
        version: 1,
        actors: [
          { name: 'security-team', key: sec.publicKey, roles: ['security'] },
          { name: 'dana', key: dev.publicKey, roles: ['dev'] },
        ],
        rules: { veto: ['security'], trust: [{ roles: ['dev'], count: 1 }] },
      }),
    );
    lockfile = path.join(repo, 'Gemfile.lock');
    fs.copyFileSync(sharedPath('corpus', 'rubygems', 'trivy__Gemfile_normal.lock'), lockfile);

    // The developer trusts pry from the command line, then opens the lockfile in an editor.
    cli(developer, 'notarize', `${lockfile}:12`, '--reason', 'reviewed');
    lsp = await LspSession.start(
      { DEPTRUST_HOME: path.join(home, 'developer'), DEPTRUST_IDENTITY: developer, DEPTRUST_IMMUDB_PASSWORD: PASSWORD },
      { ledger: { kind: 'immudb' }, immudb: { address: server.address, database: 'defaultdb', user: 'immudb' }, check: 'openFiles' },
    );
  });

  after(async () => {
    await lsp?.stop();
    await server?.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('trusted by the developer, then vetoed by the security team within five seconds', async () => {
    const uri = lsp.open(lockfile);
    const first = await lsp.diagnosticsFor(uri);
    assert.ok(!first.some((d) => text(d).startsWith('pry@')), 'pry is trusted: no diagnostic');
    assert.equal(first.filter((d) => d.code === 'unknown').length, 6);

    const started = Date.now();
    cli(security, 'revoke', 'pkg:gem/pry@0.12.2', '--reason', 'CVE-2099-0001');
    const vetoed = await lsp.until(
      'the veto to reach the open document',
      () => lsp.diagnostics.get(uri)?.diagnostics.find((d) => text(d).startsWith('pry@') && d.code === 'untrusted'),
      10_000,
    );
    const elapsed = Date.now() - started;
    assert.match(text(vetoed), /vetoed by security-team on \d{4}-\d\d-\d\d \(CVE-2099-0001\)/);
    assert.equal(vetoed.severity, 1);
    assert.ok(elapsed < 5000, `reached the editor in ${elapsed} ms`);
  });

  test('with the server stopped the verdicts are stale, and say so', async () => {
    const uri = lsp.open(lockfile);
    await lsp.diagnosticsFor(uri);
    await server.stop();
    const summary = await lsp.until(
      'a stale summary',
      () =>
        lsp.notifications
          .map((n) => n.params as { uri: string; ledger: { health: string; message: string } })
          .reverse()
          .find((p) => p.uri === uri && p.ledger.health === 'stale'),
      15_000,
    );
    assert.match(summary.ledger.message, /cannot be reached/);
    const diagnostics = lsp.diagnostics.get(uri)?.diagnostics ?? [];
    assert.ok(diagnostics.some((d) => text(d).startsWith('pry@') && d.code === 'untrusted'), 'the last verified veto still shows');
  });
});
