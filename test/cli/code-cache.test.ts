// bin/deptrust loads the CLI bundle with V8's code cache kept in the user's cache folder: the
// cache is written by a first run, taken by the next, refused when V8 refuses it, and never
// kept in a folder others can write.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, tempHome } from '../helpers/lspClient';

describe('the CLI code cache', () => {
  let home: string;

  before(() => {
    home = tempHome();
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  function run(cacheHome: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', path.join(home, 'go.sum')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        XDG_CACHE_HOME: cacheHome,
        DEPTRUST_NO_CODE_CACHE: '',
        DEPTRUST_HOME: home,
        DEPTRUST_LEDGER: path.join(home, 'ledger'),
        DEPTRUST_IDENTITY: path.join(home, 'identity.json'),
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function cacheFiles(cacheHome: string): string[] {
    const dir = path.join(cacheHome, 'deptrust', 'code');
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
  }

  test('a first run writes it, private to the user; later runs take it and say the same', () => {
    fs.writeFileSync(
      path.join(home, 'go.sum'),
      'golang.org/x/text v0.3.0 h1:g61tztE5qeGQ89tm6NTjjM9VPIm088od1l6aSorWRWg=\n',
    );
    const cacheHome = path.join(home, 'cache');
    const first = run(cacheHome);
    assert.equal(first.status, 0, first.stderr);
    const [file, ...more] = cacheFiles(cacheHome);
    assert.ok(file, 'no code cache was written');
    assert.deepEqual(more, []);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    const written = fs.statSync(file).mtimeMs;

    const second = run(cacheHome);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout).files, JSON.parse(first.stdout).files);
    assert.equal(fs.statSync(file).mtimeMs, written, 'a cache V8 took is not written again');

    // Damaged: it is not handed to V8 (whose deserializer would abort the process), the run is
    // the same, and the cache is written anew; what an earlier build left goes with it.
    // Names are cli-<this copy of the bundle>-<its build>-<command>.bin.
    const where = path.basename(file).split('-')[1];
    const earlier = path.join(path.dirname(file), `cli-${where}-${'0'.repeat(32)}-check.bin`);
    const otherCopy = path.join(path.dirname(file), `cli-${'f'.repeat(16)}-${'0'.repeat(32)}-check.bin`);
    fs.writeFileSync(earlier, 'an earlier build of this copy');
    fs.writeFileSync(otherCopy, 'another checkout');
    const bytes = fs.readFileSync(file);
    bytes.fill(0x41, 64, 4096);
    fs.writeFileSync(file, bytes);
    const third = run(cacheHome);
    assert.equal(third.status, 0, third.stderr);
    assert.deepEqual(JSON.parse(third.stdout).files, JSON.parse(first.stdout).files);
    assert.notDeepEqual(fs.readFileSync(file), bytes, 'a refused cache is replaced');
    assert.deepEqual(cacheFiles(cacheHome).sort(), [file, otherCopy].sort());
  });

  test('every command has a cache of its own; other words share one', () => {
    const cacheHome = path.join(home, 'per-command');
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
    const names = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z|-]+)/gm)]
      .flatMap((m) => m[1].split('|'))
      .filter((n) => n !== 'help');
    assert.ok(names.length >= 10, `commands found in --help: ${names.join(', ')}`);
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome, DEPTRUST_NO_CODE_CACHE: '' };
    for (const name of [...names, 'chekc']) {
      spawnSync(process.execPath, [CLI, name, '--help'], { encoding: 'utf8', env });
    }
    const commands = cacheFiles(cacheHome).map((f) => path.basename(f, '.bin').split('-').slice(3).join('-'));
    assert.deepEqual(commands.sort(), [...names, 'other'].sort());
  });

  test('a cache folder others can write is not used', () => {
    const cacheHome = path.join(home, 'open-cache');
    fs.mkdirSync(path.join(cacheHome, 'deptrust', 'code'), { recursive: true });
    fs.chmodSync(path.join(cacheHome, 'deptrust', 'code'), 0o777);
    const r = run(cacheHome);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(cacheFiles(cacheHome), []);
  });
});
