// The embedded ledger under faults that test/ledger does not already cover: several writers
// killed with SIGKILL at random moments at once, a write cut off by the file size limit
// (SIGXFSZ, and EFBIG when the signal is ignored), a full disk (a small tmpfs), and the
// folder rolled back to every older copy of itself.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { EmbeddedLedger } from '../../server/src/ledger/embedded';
import { decision, logPath, sandbox, waitFor, type Sandbox } from '../ledger/helpers/ledgers';
import { recordFigure } from './helpers';

const APPENDER = path.resolve(__dirname, '..', 'ledger', 'helpers', 'appender.ts');
const EFBIG_APPENDER = path.join(__dirname, 'helpers', 'efbigAppender.ts');

interface Writer {
  child: ChildProcess;
  acked: string[];
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** An appender process (test/ledger/helpers/appender.ts), optionally under a shell prefix. */
function startWriter(
  s: Sandbox,
  tag: string,
  count: number,
  shellPrefix?: string,
  script = APPENDER,
): Writer {
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    script,
    s.ledgerDir,
    s.witnessDir,
    s.identity.path,
    tag,
    String(count),
  ];
  const child = shellPrefix
    ? spawn('bash', ['-c', `${shellPrefix} exec "$@"`, 'writer', ...argv], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: string[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const l of lines) if (l.startsWith('ok ')) acked.push(l.split(' ')[2]);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, acked, stderr: () => err, done };
}

function reasonsInLog(s: Sandbox): string[] {
  return fs
    .readFileSync(logPath(s), 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => (JSON.parse(l) as { reason: string }).reason);
}

/** Opens the ledger afresh: it must be ok, verify every record, hold every acknowledged one. */
async function assertIntact(s: Sandbox, acked: string[], what: string): Promise<number> {
  const ledger = new EmbeddedLedger(s.ledgerDir, { witnessDir: s.witnessDir });
  try {
    const state = await ledger.open();
    assert.equal(state.health, 'ok', `${what}: ${state.message}`);
    const report = await ledger.verifyAll();
    assert.equal(report.valid, state.size, `${what}: every record verifies`);
    const reasons = new Set(reasonsInLog(s));
    const lost = acked.filter((id) => !reasons.has(id));
    assert.deepEqual(lost, [], `${what}: acknowledged appends lost`);
    return state.size;
  } finally {
    await ledger.close();
  }
}

describe('embedded ledger under faults', () => {
  let s: Sandbox;
  afterEach(() => s?.remove());

  it('loses no acknowledged record when four writers at once are killed with SIGKILL at random moments', async () => {
    s = sandbox();
    (await s.open()).close();
    const acked: string[] = [];
    const ROUNDS = Number(process.env.DEPTRUST_KILL_ROUNDS) || 2;
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const writers = [0, 1, 2, 3].map((w) => startWriter(s, `r${round}w${w}`, 0));
      await waitFor(
        () => writers.every((w) => w.acked.length >= 2),
        60_000,
        'every writer to append',
      );
      // Each writer dies at its own random moment within the next second.
      await Promise.all(
        writers.map(
          (w) =>
            new Promise<void>((resolve) =>
              setTimeout(
                () => {
                  w.child.kill('SIGKILL');
                  kills++;
                  resolve();
                },
                Math.floor(Math.random() * 1000),
              ),
            ),
        ),
      );
      for (const w of writers) {
        const { signal } = await w.done;
        assert.equal(signal, 'SIGKILL');
        acked.push(...w.acked);
      }
      await assertIntact(s, acked, `after round ${round}`);
    }
    const size = await assertIntact(s, acked, 'at the end');
    recordFigure('ledger-sigkill', {
      writers: 4,
      rounds: ROUNDS,
      kills,
      acknowledged: acked.length,
      size,
      lost: 0,
    });
    // Writes went on after every crash: the next writer was never blocked by a dead one's lock.
    assert.ok(acked.length >= ROUNDS * 4 * 2);
  });

  it('a write cut off by the file size limit (SIGXFSZ) leaves a ledger that opens, verifies and takes appends', async () => {
    s = sandbox();
    const ledger = await s.open();
    for (let i = 0; i < 5; i++)
      await ledger.append(
        decision(s.identity, `pkg:npm/before-${i}@1.0.0`, 'trusted', `before-${i}`),
      );
    await ledger.close();
    const size = fs.statSync(logPath(s)).size;
    // bash counts `ulimit -f` in 1024-byte blocks: room for a few more records, then the
    // kernel stops the write that crosses the limit and sends SIGXFSZ.
    const blocks = Math.ceil(size / 1024) + 3;
    const w = startWriter(s, 'fsize', 0, `ulimit -f ${blocks};`);
    const { signal } = await w.done;
    // A process whose parent ignores SIGXFSZ inherits that (a shell cannot undo it), and its
    // write then fails with EFBIG instead: still a write cut off by the limit.
    const cut = signal === 'SIGXFSZ' || /EFBIG/.test(w.stderr());
    assert.ok(cut, `the writer was stopped by the limit (signal ${signal}): ${w.stderr()}`);
    assert.ok(w.acked.length >= 1, 'some appends fitted under the limit');
    const acked = [...Array(5).keys()].map((i) => `before-${i}`).concat(w.acked);
    await assertIntact(s, acked, `after the limit (${signal ?? 'EFBIG'})`);

    const again = await s.open();
    await again.append(decision(s.identity, 'pkg:npm/after-fsize@1.0.0', 'trusted', 'after-fsize'));
    await again.close();
    const final = await assertIntact(s, [...acked, 'after-fsize'], 'after the next append');
    recordFigure('ledger-sigxfsz', {
      limitBytes: blocks * 1024,
      acknowledged: acked.length,
      size: final,
      lost: 0,
    });
  });

  it('with SIGXFSZ handled, the failed write (EFBIG) is an error to the writer, and nothing is lost', async () => {
    s = sandbox();
    (await s.open()).close();
    const w = startWriter(s, 'efbig', 0, 'ulimit -f 4;', EFBIG_APPENDER);
    const { code, signal } = await w.done;
    assert.equal(signal, null);
    assert.equal(code, 1, 'the append rejected and the writer stopped');
    assert.match(w.stderr(), /appender failed: (LEDGER_IO|EFBIG)/);
    await assertIntact(s, w.acked, 'after EFBIG');
    recordFigure('ledger-efbig', {
      acknowledged: w.acked.length,
      error: w.stderr().trim().slice(0, 120),
    });
  });

  it('a full disk (a 64 KiB tmpfs) fails the append with an error; freeing space restores it', async () => {
    s = sandbox();
    const mount = path.join(s.root, 'small-disk');
    fs.mkdirSync(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], {
      encoding: 'utf8',
    });
    assert.equal(mounted.status, 0, `this test mounts a tmpfs and needs root: ${mounted.stderr}`);
    try {
      await fullDisk(s, mount);
    } finally {
      spawnSync('umount', [mount]);
    }
  });

  it('detects the folder rolled back to every one of its older copies', async () => {
    s = sandbox();
    const ledger = await s.open();
    const copies: string[] = [];
    const RECORDS = 12;
    for (let i = 0; i < RECORDS; i++) {
      const copy = path.join(s.root, `copy-${i}`);
      fs.cpSync(s.ledgerDir, copy, { recursive: true });
      copies.push(copy);
      await ledger.append(
        decision(s.identity, `pkg:npm/r${i}@1.0.0`, i % 2 ? 'untrusted' : 'trusted', `r${i}`),
      );
    }
    await ledger.close();
    // The witness has seen all twelve records. Every older copy, the empty one included, is a
    // rollback, whether the tree cache in it is kept or removed.
    const current = path.join(s.root, 'current');
    fs.cpSync(s.ledgerDir, current, { recursive: true });
    for (const [i, copy] of copies.entries()) {
      for (const dropCache of [false, true]) {
        fs.rmSync(s.ledgerDir, { recursive: true, force: true });
        fs.cpSync(copy, s.ledgerDir, { recursive: true });
        if (dropCache) {
          for (const f of fs.readdirSync(s.ledgerDir)) {
            if (f !== 'records.jsonl')
              fs.rmSync(path.join(s.ledgerDir, f), { recursive: true, force: true });
          }
        }
        const probe = new EmbeddedLedger(s.ledgerDir, { witnessDir: s.witnessDir });
        const state = await probe.open();
        await probe.close();
        assert.equal(
          state.health,
          'compromised',
          `copy after ${i} records (cache dropped: ${dropCache}): ${state.message}`,
        );
      }
    }
    fs.rmSync(s.ledgerDir, { recursive: true, force: true });
    fs.cpSync(current, s.ledgerDir, { recursive: true });
    await assertIntact(
      s,
      [...Array(RECORDS).keys()].map((i) => `r${i}`),
      'the current copy back',
    );
  });
});

/** Fills the disk under a ledger, then frees it: see the test above. */
async function fullDisk(s: Sandbox, mount: string): Promise<void> {
  const ledgerDir = path.join(mount, 'ledger');
  const witnessDir = path.join(mount, 'witness');
  const filler = path.join(mount, 'filler');
  const ledger = new EmbeddedLedger(ledgerDir, { witnessDir });
  await ledger.open();
  await ledger.append(decision(s.identity, 'pkg:npm/first@1.0.0', 'trusted', 'first'));
  // Fill the disk but for a few kilobytes.
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, 64 * 1024 - 4096 - diskUsed(mount))));
  const acked = ['first'];
  let failure: Error | undefined;
  for (let i = 0; i < 200 && !failure; i++) {
    try {
      await ledger.append(decision(s.identity, `pkg:npm/full-${i}@1.0.0`, 'trusted', `full-${i}`));
      acked.push(`full-${i}`);
    } catch (err) {
      failure = err as Error;
    }
  }
  assert.ok(failure, 'the disk filled up');
  assert.match(String(failure), /ENOSPC|no space/i, String(failure));
  await ledger.close();

  fs.rmSync(filler);
  const reopened = new EmbeddedLedger(ledgerDir, { witnessDir });
  const state = await reopened.open();
  assert.equal(state.health, 'ok', state.message);
  const reasons = new Set(
    fs
      .readFileSync(path.join(ledgerDir, 'records.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.endsWith('}'))
      .map((l) => (JSON.parse(l) as { reason: string }).reason),
  );
  assert.deepEqual(
    acked.filter((id) => !reasons.has(id)),
    [],
    'acknowledged appends lost',
  );
  assert.equal((await reopened.verifyAll()).valid, state.size);
  await reopened.append(decision(s.identity, 'pkg:npm/after-full@1.0.0', 'trusted', 'after-full'));
  assert.equal(reopened.state().health, 'ok');
  await reopened.close();
  recordFigure('ledger-enospc', {
    acknowledged: acked.length,
    error: String(failure).slice(0, 120),
    lost: 0,
  });
}

/** Bytes in use on the file system holding `dir`. */
function diskUsed(dir: string): number {
  const st = fs.statfsSync(dir);
  return (st.blocks - st.bfree) * st.bsize;
}
