import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { canonicalJson } from '../../server/src/ledger/canonical';
import { decision, logPath, sandbox, waitFor, type Sandbox } from './helpers/ledgers';

const APPENDER = path.join(__dirname, 'helpers', 'appender.ts');

function startAppender(
  s: Sandbox,
  tag: string,
  count: number,
): { child: ChildProcess; acked: string[]; done: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', APPENDER, s.ledgerDir, s.witnessDir, s.identity.path, tag, String(count)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`appender ${tag}: ${err}\n`);
      resolve(code);
    }),
  );
  return { child, acked, done };
}

function reasonsInLog(s: Sandbox): string[] {
  return fs
    .readFileSync(logPath(s), 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => (JSON.parse(l) as { reason: string }).reason);
}

describe('several writers and crashed writers', () => {
  let s: Sandbox;
  afterEach(() => s?.remove());

  it('loses nothing when 4 processes append 25 records each at the same moment', async () => {
    s = sandbox();
    (await s.open()).close();
    const writers = ['w0', 'w1', 'w2', 'w3'].map((tag) => startAppender(s, tag, 25));
    const codes = await Promise.all(writers.map((w) => w.done));
    assert.deepEqual(codes, [0, 0, 0, 0]);

    const ledger = await s.open();
    assert.equal(ledger.state().health, 'ok', ledger.state().message);
    assert.equal(ledger.state().size, 100);
    const report = await ledger.verifyAll();
    assert.equal(report.valid, 100);
    const reasons = reasonsInLog(s);
    assert.equal(new Set(reasons).size, 100);
    for (const w of writers)
      for (const id of w.acked) assert.ok(reasons.includes(id), `${id} lost`);
  });

  it('ignores a torn tail, and the next append cuts it off', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
    await ledger.close();
    const half = canonicalJson(decision(s.identity, 'pkg:npm/b@1.0.0'));
    fs.appendFileSync(logPath(s), half.slice(0, Math.floor(half.length / 2)));

    const reader = await s.open();
    assert.equal(reader.state().health, 'ok', reader.state().message);
    assert.equal(reader.state().size, 1);
    assert.match(reader.state().message, /bytes of an unfinished append ignored/);
    assert.equal((await reader.lookup(['pkg:npm/b@1.0.0'])).size, 0);

    const result = await reader.append(decision(s.identity, 'pkg:npm/c@1.0.0'));
    assert.equal(result.index, 1);
    const lines = fs.readFileSync(logPath(s), 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    for (const l of lines.slice(0, 2)) assert.doesNotThrow(() => JSON.parse(l));

    const again = await s.open();
    assert.equal(again.state().health, 'ok', again.state().message);
    assert.equal(again.state().size, 2);
  });

  /** Runs the appender under `ulimit -f` (1024-byte blocks) a few records past the log's size. */
  function appendPastLimit(
    ignoreSignal: boolean,
  ): ReturnType<typeof spawnSync> & { acked: string[] } {
    const blocks = Math.ceil(fs.statSync(logPath(s)).size / 1024) + 2;
    const args = [APPENDER, s.ledgerDir, s.witnessDir, s.identity.path, 'fsize', '0'];
    const command = `ulimit -f ${blocks}; exec '${process.execPath}' --import tsx ${args.map((a) => `'${a}'`).join(' ')}`;
    const run = spawnSync('bash', ['-c', command], {
      encoding: 'utf8',
      env: { ...process.env, IGNORE_SIGXFSZ: ignoreSignal ? '1' : '0' },
    });
    const acked = String(run.stdout)
      .split('\n')
      .filter((l) => l.startsWith('ok '))
      .map((l) => l.split(' ')[2]);
    return { ...run, acked };
  }

  it('survives a writer stopped by the file size limit (SIGXFSZ) mid-line', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/before@1.0.0', 'trusted', 'before'));
    await ledger.close();
    const run = appendPastLimit(false);
    assert.equal(run.signal, 'SIGXFSZ', String(run.stderr));
    assert.ok(run.acked.length >= 1, 'some appends fitted under the limit');

    const again = await s.open();
    assert.equal(again.state().health, 'ok', again.state().message);
    assert.equal(again.state().size, 1 + run.acked.length);
    await again.append(decision(s.identity, 'pkg:npm/after@1.0.0', 'trusted', 'after'));
    assert.ok(fs.readFileSync(logPath(s), 'utf8').endsWith('\n'));
    const reasons = reasonsInLog(s);
    for (const id of ['before', ...run.acked, 'after'])
      assert.ok(reasons.includes(id), `${id} lost`);
  });

  it('turns a write failing with EFBIG into an error, leaving no partial line', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/before@1.0.0', 'trusted', 'before'));
    await ledger.close();
    const run = appendPastLimit(true);
    assert.equal(run.signal, null, String(run.stderr));
    assert.equal(run.status, 1);
    assert.match(String(run.stderr), /appender failed: cannot append to .*records\.jsonl: EFBIG/);
    assert.ok(fs.readFileSync(logPath(s), 'utf8').endsWith('\n'), 'the cut-off line was removed');
    const again = await s.open();
    assert.equal(again.state().health, 'ok', again.state().message);
    assert.match(again.state().message, /^\d+ records; extends the head verified on \S+$/);
    assert.equal(again.state().size, 1 + run.acked.length);
  });

  it('keeps appending when the witness cannot be written, and says so', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
    const blocker = `${ledger.witnessLocation}.${process.pid}.tmp`;
    fs.mkdirSync(blocker);
    await ledger.append(decision(s.identity, 'pkg:npm/b@1.0.0'));
    assert.equal(ledger.state().health, 'ok');
    assert.match(ledger.state().message, /the witness .* could not be moved on: EISDIR/);
    fs.rmdirSync(blocker);
    await ledger.append(decision(s.identity, 'pkg:npm/c@1.0.0'));
    assert.equal(
      ledger.state().message,
      '3 records; extends the head verified on ' +
        /verified on (\S+)/.exec(ledger.state().message)![1],
    );
    const witness = JSON.parse(fs.readFileSync(ledger.witnessLocation, 'utf8')) as { size: number };
    assert.equal(witness.size, 3);
  });

  it('survives writers killed with SIGKILL in the middle of appending', async () => {
    s = sandbox();
    (await s.open()).close();
    const acked: string[] = [];
    for (let round = 0; round < 3; round++) {
      const w = startAppender(s, `k${round}`, 0);
      await waitFor(() => w.acked.length >= 5 + round * 7, 20000, 'the writer to append');
      w.child.kill('SIGKILL');
      await w.done;
      acked.push(...w.acked);

      // Every append that returned is there, the ledger verifies, and this process can write.
      const ledger = await s.open();
      assert.equal(ledger.state().health, 'ok', ledger.state().message);
      const result = await ledger.append(
        decision(s.identity, `pkg:npm/after-kill-${round}@1.0.0`, 'trusted', `after-${round}`),
      );
      acked.push(`after-${round}`);
      assert.equal(result.size, ledger.state().size);
      await ledger.close();
    }
    const reasons = reasonsInLog(s);
    for (const id of acked) assert.ok(reasons.includes(id), `completed append ${id} was lost`);
    assert.ok(fs.readFileSync(logPath(s), 'utf8').endsWith('\n'));
    const final = await s.open();
    assert.equal(final.state().health, 'ok');
    assert.equal((await final.verifyAll()).valid, final.state().size);
  });
});
