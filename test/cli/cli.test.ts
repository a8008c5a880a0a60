import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIdentity } from '../../server/src/identity/identity';
import { CLI, tempHome } from '../helpers/lspClient';
import { sharedPath } from '../helpers/shared';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('deptrust CLI', () => {
  let home: string;
  let ledger: string;

  function deptrust(...args: string[]): Run {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      env: { ...process.env, DEPTRUST_HOME: home, DEPTRUST_LEDGER: ledger, DEPTRUST_IDENTITY: path.join(home, 'identity.json'), NO_COLOR: '1' },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  before(() => {
    home = tempHome();
    ledger = path.join(home, 'ledger');
    createIdentity('cli-test', { path: path.join(home, 'identity.json') });
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  const gemfile = () => sharedPath('corpus', 'rubygems', 'trivy__Gemfile_normal.lock');

  test('check --format json follows the public contract', () => {
    const r = deptrust('check', '--format', 'json', gemfile(), sharedPath('corpus', 'npm', 'snyk__missing-integrity.package-lock.json'));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.files.length, 2);
    const [gems, npm] = out.files;
    assert.equal(gems.ecosystem, 'gem');
    assert.equal(gems.path, gemfile());
    assert.equal(gems.dependencies.length, 7);
    const pry = gems.dependencies.find((d: { name: string }) => d.name === 'pry');
    assert.deepEqual(
      { name: pry.name, version: pry.version, purl: pry.purl, checksum: pry.checksum, range: pry.range, status: pry.status },
      {
        name: 'pry',
        version: '0.12.2',
        purl: 'pkg:gem/pry@0.12.2',
        checksum: null,
        range: { start: { line: 11, character: 4 }, end: { line: 11, character: 16 } },
        status: 'unknown',
      },
    );
    const accepts = npm.dependencies.find((d: { name: string }) => d.name === 'accepts');
    assert.equal(npm.ecosystem, 'npm');
    assert.match(accepts.checksum, /^sha512-/);
    assert.equal(accepts.purl, 'pkg:npm/accepts@1.3.7');
  });

  test('exit 1 once a dependency is revoked, 0 again once trusted', () => {
    const revoked = deptrust('revoke', `${gemfile()}:12`, '--reason', 'test revocation');
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /pkg:gem\/pry@0\.12\.2 distrusted by cli-test/);

    const failing = deptrust('check', gemfile());
    assert.equal(failing.status, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /untrusted\s+pry@0\.12\.2\s+12\s+vetoed by cli-test on \d{4}-\d\d-\d\d \(test revocation\)/);
    assert.match(failing.stdout, /7 dependencies: 6 unknown · 1 untrusted/);

    const history = deptrust('history', 'pkg:gem/pry@0.12.2');
    assert.equal(history.status, 0, history.stderr);
    assert.match(history.stdout, /untrusted/);
    assert.match(history.stdout, /test revocation/);

    assert.equal(deptrust('trust', `${gemfile()}:12`).status, 0);
    assert.equal(deptrust('check', gemfile()).status, 0);
  });

  test('--fail-on unknown fails on unknown entries', () => {
    const r = deptrust('check', '--fail-on', 'unknown', gemfile());
    assert.equal(r.status, 1);
  });

  test('exit 2 on input that is not a lockfile, a missing file, a broken file', () => {
    const dir = fs.mkdtempSync(path.join(home, 'bad-'));
    const notes = path.join(dir, 'notes.txt');
    fs.writeFileSync(notes, 'hello\n');
    const unknown = deptrust('check', notes);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /not a lockfile deptrust reads/);

    const missing = deptrust('check', path.join(dir, 'nope', 'go.sum'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);

    const broken = path.join(dir, 'package-lock.json');
    fs.writeFileSync(broken, '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": { "version": "1.0.0" \n');
    const r = deptrust('check', broken);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /package-lock\.json:\d+:\d+: error:/);
  });

  test('a purl target must be valid; a line without an entry is refused', () => {
    const bad = deptrust('notarize', 'pkg:');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a valid package URL/);
    const none = deptrust('notarize', `${gemfile()}:1`);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no dependency entry on line 1/);
  });

  test('control characters in lockfile text never reach the terminal', () => {
    const dir = fs.mkdtempSync(path.join(home, 'ansi-'));
    const file = path.join(dir, 'go.sum');
    fs.writeFileSync(file, 'example.com/\x1b[31mevil v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n');
    const r = deptrust('check', file);
    assert.ok(!r.stdout.includes('\x1b'), 'no escape character in stdout');
    assert.ok(!r.stderr.includes('\x1b'), 'no escape character in stderr');
  });
});
