// The immudb ledger against a real server (built by scripts/immudb/build.sh) under faults that
// test/immudb does not already cover: the server killed with SIGKILL in the middle of writes
// and restarted, the CLI checking while the server is unreachable or hangs, and the CLI after
// the server restarts on an older copy of its data folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIdentity } from '../../server/src/identity/identity';
import { ImmudbLedger } from '../../server/src/ledger/immudb';
import type { TrustRecord } from '../../server/src/ledger/record';
import { ADMIN_PASSWORD, ADMIN_USER, ImmudbServer, tempStateDir } from '../helpers/immudb';
import { cliEnv, recordFigure, runMeasured, tempDir, type Measured } from './helpers';

function record(purl: string, reason: string): TrustRecord {
  return {
    v: 1,
    subject: { purl },
    status: 'trusted',
    actor: { name: 'faults' },
    time: new Date().toISOString(),
    reason,
  };
}

async function waitFor(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILL for the server, through its pid file: no shutdown, no flush. */
function killServer(server: ImmudbServer): void {
  const pid = Number(fs.readFileSync(path.join(server.home, 'immudb.pid'), 'utf8').trim());
  assert.ok(pid > 0, 'the server wrote its pid');
  process.kill(pid, 'SIGKILL');
}

describe('immudb server killed during writes', () => {
  let server: ImmudbServer;
  const ledgers: ImmudbLedger[] = [];
  const client = (stateDir = tempStateDir()) => {
    const l = new ImmudbLedger({
      address: server.address,
      database: 'defaultdb',
      user: ADMIN_USER,
      password: ADMIN_PASSWORD,
      stateDir,
      pollMs: 200,
      timeoutMs: 2000,
    });
    ledgers.push(l);
    return l;
  };

  before(async () => {
    server = await ImmudbServer.start();
  });
  after(async () => {
    for (const l of ledgers) await l.close().catch(() => undefined);
    await server?.dispose();
  });

  it('keeps every acknowledged write across SIGKILL and restart, and the writer verifies again', async () => {
    const writer = client();
    await writer.open();
    const acked: string[] = [];
    let failedAppends = 0;
    const ROUNDS = 2;
    for (let round = 0; round < ROUNDS; round++) {
      let stop = false;
      const loop = (async () => {
        for (let i = 0; !stop; i++) {
          const purl = `pkg:npm/killed-${round}-${i}@1.0.0`;
          try {
            await writer.append(record(purl, `r${round}-${i}`));
            acked.push(purl);
          } catch {
            failedAppends++;
            return;
          }
        }
      })();
      const target = acked.length + 15 + Math.floor(Math.random() * 15);
      await waitFor('appends before the kill', () => acked.length >= target);
      killServer(server);
      stop = true;
      await loop;

      await server.restart();
      await waitFor('the writer to see the server again', () => writer.state().health === 'ok');
    }

    // A client with no kept state and the writer itself both find every acknowledged record.
    const fresh = client();
    assert.equal((await fresh.open()).health, 'ok');
    for (const reader of [fresh, writer]) {
      const found = await reader.lookup(acked);
      const lost = acked.filter((p) => !(found.get(p) ?? []).some((r) => r.proof === 'verified'));
      assert.deepEqual(lost, [], 'acknowledged writes lost or unverified after the restart');
    }
    assert.equal(writer.state().health, 'ok', writer.state().message);
    recordFigure('immudb-sigkill', {
      rounds: ROUNDS,
      acknowledged: acked.length,
      failedAppends,
      lost: 0,
    });
  });
});

describe('deptrust check --immudb while the server is unreachable, hangs or goes back', () => {
  let server: ImmudbServer;
  let work: { dir: string; remove: () => void };
  let home: string;
  let goSum: string;
  let hanging: net.Server;
  const sockets: net.Socket[] = [];

  const env = (h = home) => cliEnv(h, { DEPTRUST_IMMUDB_PASSWORD: ADMIN_PASSWORD });
  const deptrust = (args: string[], address = server.address, h = home): Promise<Measured> =>
    runMeasured([...args, '--immudb', address], env(h));

  before(async () => {
    server = await ImmudbServer.start();
    work = tempDir('immudb-cli');
    home = path.join(work.dir, 'home');
    fs.mkdirSync(home);
    createIdentity('faults', { path: path.join(home, 'identity.json') });
    goSum = path.join(work.dir, 'go.sum');
    fs.writeFileSync(goSum, `example.com/notarized v1.0.0 h1:${'A'.repeat(43)}=\n`);
    // A server that accepts connections and never answers: a hung or black-holed ledger.
    hanging = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hanging.close(r));
    await server?.dispose();
    work.remove();
  });

  it('trusts the notarized entry while the server is up', async () => {
    const notarized = await deptrust(['trust', `${goSum}:1`]);
    assert.equal(notarized.status, 0, notarized.stderr);
    const r = await deptrust(['check', goSum]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^trusted\s+example\.com\/notarized@v1\.0\.0/m);
  });

  it('server killed: exit 2 or stale, never trusted as if verified now', async () => {
    killServer(server);
    for (const format of ['text', 'json']) {
      const r = await deptrust(['check', '--format', format, goSum]);
      const what = `--format ${format}: exit ${r.status}\n${r.stdout}\n${r.stderr}`;
      assert.ok(r.wallMs < 30_000, `${what}: took ${r.wallMs} ms`);
      recordFigure('immudb-cli-down', {
        format,
        status: r.status,
        wallMs: r.wallMs,
        stderr: r.stderr.trim().slice(0, 160),
      });
      if (r.status === 2) continue;
      // Answered from the kept, verified snapshot: it must say so, on stderr and per entry.
      assert.match(r.stderr, /stale/, what);
      if (format === 'json') assert.match(r.stdout, /"stale"/, what);
    }
    await server.restart();
  });

  it('no server ever reached and nothing kept: exit 2 with a message, never a verdict of trust', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const cold = path.join(work.dir, 'cold-home');
    fs.mkdirSync(cold);
    for (const address of [
      `127.0.0.1:${closed}`,
      `127.0.0.1:${(hanging.address() as net.AddressInfo).port}`,
    ]) {
      const r = await deptrust(['check', goSum], address, cold);
      const what = `${address}: exit ${r.status}\n${r.stdout}\n${r.stderr}`;
      recordFigure('immudb-cli-unreachable', { address, status: r.status, wallMs: r.wallMs });
      assert.equal(r.status, 2, what);
      assert.match(r.stderr, /immudb|ledger/i, what);
      assert.doesNotMatch(r.stdout, /^trusted/m, what);
      assert.ok(r.wallMs < 30_000, `${what}: took ${r.wallMs} ms`);
    }
  });

  it('server restarted on an older copy of its data: compromised, exit 2', async () => {
    await server.stop();
    const older = server.copyData('older');
    await server.restart();
    const revoked = await deptrust(['revoke', `${goSum}:1`, '--reason', 'rollback test']);
    assert.equal(revoked.status, 0, revoked.stderr);
    const checked = await deptrust(['check', goSum]);
    assert.equal(checked.status, 1, 'the revocation is seen');

    // The older copy still says trusted; the CLI's kept state has seen the revocation.
    await server.restartOn(older);
    const r = await deptrust(['check', goSum]);
    const what = `exit ${r.status}\n${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 2, what);
    assert.match(r.stdout + r.stderr, /compromised/, what);
    assert.doesNotMatch(r.stdout, /^trusted/m, what);
  });
});
