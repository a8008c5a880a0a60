import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI } from '../helpers/lspClient';
import { packageLock, Sandbox } from './helpers';

const BASE = [
  { name: 'alpha', version: '1.0.0' },
  { name: 'bravo', version: '1.0.0' },
  { name: 'charlie', version: '1.0.0' },
];

/** A repository whose committed lockfile is trusted, with a trusted change staged. */
function stagedRemoval(): Sandbox {
  const s = new Sandbox();
  s.write('package-lock.json', packageLock(BASE));
  s.trustAll('package-lock.json');
  s.commit('baseline', 'package-lock.json');
  s.write('package-lock.json', packageLock(BASE.slice(0, 2)));
  s.git('add', 'package-lock.json');
  return s;
}

describe('review fails with exit 2, never a silent pass', () => {
  const sandboxes: Sandbox[] = [];
  after(() => sandboxes.forEach((s) => s.remove()));
  const sandbox = () => {
    const s = stagedRemoval();
    sandboxes.push(s);
    assert.equal(
      s.deptrust('review', '--staged').status,
      0,
      'the staged change passes as long as nothing is wrong',
    );
    return s;
  };

  test('outside a git repository', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-nogit-'));
    const s = sandbox();
    const r = s.run(process.execPath, [CLI, 'review', '--staged'], { cwd: dir });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not inside a git work tree .*\[GIT_NOT_A_REPOSITORY\]/);
  });

  test('a revision that does not exist; neither or both of --staged and --base', () => {
    const s = sandbox();
    const bad = s.deptrust('review', '--base', 'no-such-branch');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no-such-branch: no such commit .*\[GIT_BAD_REVISION\]/);
    const option = s.deptrust('review', '--base', '--output=x');
    assert.equal(option.status, 2);
    assert.equal(s.deptrust('review').status, 2);
    assert.match(
      s.deptrust('review', '--staged', '--base', 'HEAD').stderr,
      /exactly one of --staged or --base/,
    );
  });

  test('a staged lockfile that does not parse, with its position', () => {
    const s = sandbox();
    s.write(
      'package-lock.json',
      '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": { "version": \n',
    );
    s.git('add', 'package-lock.json');
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /package-lock\.json:\d+:\d+: error: package-lock\.json in the index: /);
  });

  test('a committed lockfile that does not parse', () => {
    const s = sandbox();
    s.write('package-lock.json', '{ "lockfileVersion": 3, "packages": { \n');
    s.commit('broken', 'package-lock.json');
    s.write('package-lock.json', packageLock(BASE));
    s.git('add', 'package-lock.json');
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /package-lock\.json in [0-9a-f]{40}: /);
  });

  test('a broken policy file', () => {
    const s = sandbox();
    s.write(
      '.deptrust/policy.json',
      '{ "version": 1, "actors": [], "rules": { "veto": ["nobody"] } }\n',
    );
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /policy\.json:1:\d+: error: .*no actor has the role `nobody` \[POLICY_ROLE\]/,
    );
  });

  test('a tampered ledger', () => {
    const s = sandbox();
    const log = path.join(s.home, 'ledger', 'records.jsonl');
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    assert.ok(lines.length >= 3, 'the baseline wrote three records');
    fs.writeFileSync(log, [lines[1], lines[0], ...lines.slice(2)].join('\n') + '\n');
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ledger compromised: .*\[REVIEW_LEDGER_FAILED\]/);
  });

  test('a ledger folder that was removed', () => {
    const s = sandbox();
    fs.rmSync(path.join(s.home, 'ledger'), { recursive: true, force: true });
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /ledger (compromised|unavailable)/);
  });

  test('a ledger that cannot be believed fails even when no lockfile changed', () => {
    const s = sandbox();
    s.git('commit', '-q', '--no-verify', '-m', 'removal');
    const log = path.join(s.home, 'ledger', 'records.jsonl');
    fs.appendFileSync(log, '{"not":"a record"}\n');
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /No dependency changed/);
    assert.match(r.stderr, /ledger (compromised|unavailable)/);
  });
});
