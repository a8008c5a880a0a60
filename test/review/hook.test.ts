import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI } from '../helpers/lspClient';
import { packageLock, Sandbox } from './helpers';

const BASE = [{ name: 'alpha', version: '1.0.0' }];

/** A repository with one trusted, committed lockfile. */
function trustedRepo(): Sandbox {
  const s = new Sandbox();
  s.write('package-lock.json', packageLock(BASE));
  s.trustAll('package-lock.json');
  s.commit('baseline', 'package-lock.json');
  return s;
}

function head(s: Sandbox): string {
  return s.git('rev-parse', 'HEAD').trim();
}

describe('deptrust hook', () => {
  const sandboxes: Sandbox[] = [];
  after(() => sandboxes.forEach((s) => s.remove()));
  const repo = () => {
    const s = trustedRepo();
    sandboxes.push(s);
    return s;
  };

  test('a real git commit is blocked by an untrusted dependency and allowed once it is trusted', () => {
    const s = repo();
    const install = s.deptrust('hook', 'install');
    assert.equal(install.status, 0, install.stderr);
    const hook = path.join(s.repo, '.git', 'hooks', 'pre-commit');
    assert.ok(fs.statSync(hook).mode & 0o100, 'the hook is executable');

    s.write('package-lock.json', packageLock([...BASE, { name: 'bravo', version: '2.0.0' }]));
    s.git('add', 'package-lock.json');
    const before = head(s);
    const blocked = s.run('git', ['commit', '-m', 'add bravo']);
    assert.notEqual(blocked.status, 0, 'the commit must not go through');
    assert.equal(head(s), before);
    assert.match(blocked.stderr, /bravo/);
    assert.match(blocked.stderr, /deptrust notarize package-lock\.json:\d+/);

    s.trustAll('package-lock.json');
    const allowed = s.run('git', ['commit', '-m', 'add bravo']);
    assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
    assert.notEqual(head(s), before);
  });

  test('`git commit -a` and `git commit FILE` are reviewed from the index git commits', () => {
    const s = repo();
    assert.equal(s.deptrust('hook', 'install').status, 0);
    s.write('package-lock.json', packageLock([...BASE, { name: 'foxtrot', version: '1.0.0' }]));
    const all = s.run('git', ['commit', '-a', '-m', 'all']);
    assert.notEqual(all.status, 0, 'the unstaged change is committed by -a, so it is reviewed');
    assert.match(all.stderr, /foxtrot/);
    const only = s.run('git', ['commit', '-m', 'only', '--', 'package-lock.json']);
    assert.notEqual(only.status, 0);
    assert.match(only.stderr, /foxtrot/);
    assert.equal(s.git('status', '--porcelain').trim(), 'M package-lock.json');
  });

  test('a commit that touches no lockfile passes', () => {
    const s = repo();
    assert.equal(s.deptrust('hook', 'install').status, 0);
    s.write('README.md', 'hello\n');
    s.git('add', 'README.md');
    const r = s.run('git', ['commit', '-m', 'docs']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('an existing hook runs first, can block, and is restored byte for byte on uninstall', () => {
    const s = repo();
    const hook = path.join(s.repo, '.git', 'hooks', 'pre-commit');
    const marker = path.join(s.home, 'existing-hook-ran');
    const original = `#!/bin/sh\necho ran >> '${marker}'\nexit "\${EXISTING_HOOK_EXIT:-0}"\n`;
    fs.writeFileSync(hook, original, { mode: 0o751 });

    const first = s.deptrust('hook', 'install');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /existing hook runs first/);
    const installed = fs.readFileSync(hook, 'utf8');
    const again = s.deptrust('hook', 'install');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already installed/);
    assert.equal(fs.readFileSync(hook, 'utf8'), installed, 'installing twice changes nothing');
    assert.equal(
      fs.readFileSync(hook + '.deptrust-chained', 'utf8'),
      original,
      'never chained to itself',
    );

    s.write('notes.txt', 'x\n');
    s.git('add', 'notes.txt');
    s.env.EXISTING_HOOK_EXIT = '3';
    const stopped = s.run('git', ['commit', '-m', 'notes']);
    assert.notEqual(stopped.status, 0, 'the existing hook still stops commits');
    assert.equal(fs.readFileSync(marker, 'utf8'), 'ran\n');
    s.env.EXISTING_HOOK_EXIT = '0';
    const passed = s.run('git', ['commit', '-m', 'notes']);
    assert.equal(passed.status, 0, passed.stderr);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'ran\nran\n');

    const removed = s.deptrust('hook', 'uninstall');
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal(fs.readFileSync(hook, 'utf8'), original);
    assert.equal(fs.statSync(hook).mode & 0o777, 0o751);
    assert.ok(!fs.existsSync(hook + '.deptrust-chained'));
  });

  test('uninstall without an earlier hook leaves no hook; a foreign hook is never removed', () => {
    const s = repo();
    const hook = path.join(s.repo, '.git', 'hooks', 'pre-commit');
    assert.equal(s.deptrust('hook', 'install').status, 0);
    assert.equal(s.deptrust('hook', 'uninstall').status, 0);
    assert.ok(!fs.existsSync(hook));

    fs.writeFileSync(hook, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const refused = s.deptrust('hook', 'uninstall');
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /not deptrust's hook; left as it is \[HOOK_NOT_OURS\]/);
    assert.equal(fs.readFileSync(hook, 'utf8'), '#!/bin/sh\nexit 0\n');
  });

  test('core.hooksPath is honoured', () => {
    const s = repo();
    s.git('config', 'core.hooksPath', '.githooks');
    const r = s.deptrust('hook', 'install');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(s.repo, '.githooks', 'pre-commit')));
    assert.ok(!fs.existsSync(path.join(s.repo, '.git', 'hooks', 'pre-commit')));

    s.write('package-lock.json', packageLock([...BASE, { name: 'charlie', version: '3.0.0' }]));
    s.git('add', 'package-lock.json');
    const blocked = s.run('git', ['commit', '-m', 'add charlie']);
    assert.notEqual(blocked.status, 0, 'git ran the hook from core.hooksPath');
    assert.match(blocked.stderr, /charlie/);
  });

  test('the hook falls back to deptrust on PATH when the install-time paths are gone', () => {
    const s = repo();
    assert.equal(s.deptrust('hook', 'install').status, 0);
    const hook = path.join(s.repo, '.git', 'hooks', 'pre-commit');
    const script = fs
      .readFileSync(hook, 'utf8')
      .replace(/^node='.*'$/m, "node='/nonexistent/node'");
    fs.writeFileSync(hook, script);
    const bin = path.join(s.home, 'bin');
    fs.mkdirSync(bin);
    const log = path.join(s.home, 'fallback-args');
    fs.writeFileSync(path.join(bin, 'deptrust'), `#!/bin/sh\necho "$@" > '${log}'\nexit 1\n`, {
      mode: 0o755,
    });
    s.env.PATH = `${bin}:${process.env.PATH}`;
    s.write('x.txt', 'x\n');
    s.git('add', 'x.txt');
    const r = s.run('git', ['commit', '-m', 'x']);
    assert.notEqual(r.status, 0);
    assert.equal(fs.readFileSync(log, 'utf8').trim(), 'review --staged');
  });

  test('a merge git commits on its own is reviewed by pre-merge-commit', () => {
    const s = repo();
    assert.equal(s.deptrust('hook', 'install').status, 0);
    assert.ok(fs.existsSync(path.join(s.repo, '.git', 'hooks', 'pre-merge-commit')));
    s.git('checkout', '-q', '-b', 'feature');
    s.write('package-lock.json', packageLock([...BASE, { name: 'echo', version: '5.0.0' }]));
    s.commit('add echo', 'package-lock.json');
    s.git('checkout', '-q', 'main');
    s.write('README.md', 'main\n');
    s.commit('readme', 'README.md');
    const before = head(s);

    const blocked = s.run('git', ['merge', '--no-edit', 'feature']);
    assert.notEqual(blocked.status, 0, 'the clean merge is stopped');
    assert.match(blocked.stderr, /echo/);
    assert.equal(head(s), before);
    s.git('merge', '--abort');

    s.write('package-lock.json', packageLock([...BASE, { name: 'echo', version: '5.0.0' }]));
    s.trustAll('package-lock.json');
    s.git('checkout', '--', 'package-lock.json');
    const merged = s.run('git', ['merge', '--no-edit', 'feature']);
    assert.equal(merged.status, 0, merged.stdout + merged.stderr);
    assert.notEqual(head(s), before);

    assert.equal(s.deptrust('hook', 'uninstall').status, 0);
    assert.ok(!fs.existsSync(path.join(s.repo, '.git', 'hooks', 'pre-merge-commit')));
  });

  test('the hook install outside a repository is an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-nogit-'));
    const s = repo();
    const r = s.run(process.execPath, [CLI, 'hook', 'install'], { cwd: dir });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /GIT_NOT_A_REPOSITORY/);
  });
});
