import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { ImmudbConnection, type TxMessage } from '../../server/src/ledger/immudb-proto';
import { readSnapshot, writeSnapshot } from '../../server/src/ledger/immudb-snapshot';
import {
  GENESIS_ALH,
  VerificationError,
  verifyChain,
  type ServerState,
} from '../../server/src/ledger/immudb-verify';
import type { TrustRecord } from '../../server/src/ledger/record';
import { ADMIN_PASSWORD, ADMIN_USER, immudbSuite, tempStateDir } from '../helpers/immudb';

function record(purl: string, status: TrustRecord['status'], actor = 'alice'): TrustRecord {
  return {
    v: 1,
    subject: { purl, checksum: 'h1:abc=' },
    status,
    actor: { name: actor },
    time: '2026-12-03T10:00:00Z',
  };
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function clone(txs: TxMessage[]): TxMessage[] {
  return txs.map((tx) => ({
    header: {
      ...tx.header,
      prevAlh: Uint8Array.from(tx.header.prevAlh),
      eH: Uint8Array.from(tx.header.eH),
      blRoot: Uint8Array.from(tx.header.blRoot),
      metadata: tx.header.metadata && {
        ...tx.header.metadata,
        extra: Uint8Array.from(tx.header.metadata.extra),
      },
    },
    entries: tx.entries.map((e) => ({
      ...e,
      key: Uint8Array.from(e.key),
      hValue: Uint8Array.from(e.hValue),
      value: Uint8Array.from(e.value),
      metadata: e.metadata && { ...e.metadata },
    })),
  }));
}

function rejectsChain(txs: TxMessage[], state: ServerState, what: string): void {
  assert.throws(
    () => verifyChain({ txId: 0, alh: GENESIS_ALH }, txs, state),
    VerificationError,
    what,
  );
}

describe('immudb verification fails when it must', () => {
  const suite = immudbSuite({ pollMs: 200 });
  const ledger = (stateDir = tempStateDir()) => suite.ledger({ stateDir });

  it('accepts the real history and rejects every flipped byte of it', async () => {
    const writer = ledger();
    await writer.open();
    await writer.append(record('pkg:gem/rake@13.1.0', 'trusted'));
    await writer.appendAll([
      record('pkg:gem/minitest@5.20.0', 'trusted'),
      record('pkg:gem/rexml@3.2.6', 'untrusted'),
      record('pkg:gem/power_assert@2.0.3', 'unsupported'),
    ]);

    const conn = new ImmudbConnection({
      address: suite.server.address,
      database: 'defaultdb',
      user: ADMIN_USER,
      password: ADMIN_PASSWORD,
    });
    await conn.login();
    const state = await conn.currentState();
    const txs = await conn.txScan(1, 100);
    conn.close();
    assert.equal(txs.length, state.txId);
    assert.equal(
      txs[txs.length - 1].header.version,
      1,
      'a default database writes version 1 headers',
    );
    assert.equal(txs[txs.length - 1].entries.length, 3);

    const point = verifyChain({ txId: 0, alh: GENESIS_ALH }, txs, state);
    assert.equal(point.txId, state.txId);

    let flips = 0;
    for (let t = 0; t < txs.length; t++) {
      for (const field of ['prevAlh', 'eH', 'blRoot'] as const) {
        for (let i = 0; i < txs[t].header[field].length; i++) {
          const bad = clone(txs);
          bad[t].header[field][i] ^= 0x01;
          rejectsChain(bad, state, `tx ${t + 1} ${field} byte ${i}`);
          flips++;
        }
      }
      for (const field of ['ts', 'nentries', 'blTxId', 'version', 'id'] as const) {
        const bad = clone(txs);
        bad[t].header[field] += 1;
        rejectsChain(bad, state, `tx ${t + 1} ${field}`);
        flips++;
      }
      for (let e = 0; e < txs[t].entries.length; e++) {
        for (const field of ['key', 'hValue', 'value'] as const) {
          for (let i = 0; i < txs[t].entries[e][field].length; i++) {
            const bad = clone(txs);
            bad[t].entries[e][field][i] ^= 0x01;
            rejectsChain(bad, state, `tx ${t + 1} entry ${e} ${field} byte ${i}`);
            flips++;
          }
        }
        const withMetadata = clone(txs);
        withMetadata[t].entries[e].metadata = {
          deleted: true,
          expiresAt: null,
          nonIndexable: false,
        };
        rejectsChain(withMetadata, state, `tx ${t + 1} entry ${e} metadata added`);
      }
    }
    assert.ok(flips > 1000, `only ${flips} flips tried`);

    const last = txs.length - 1;
    const reordered = clone(txs);
    reordered[last].entries.reverse();
    rejectsChain(reordered, state, 'entries reordered');
    const dropped = clone(txs);
    dropped[last].entries.pop();
    rejectsChain(dropped, state, 'entry withheld');
    const missing = clone(txs).filter((_, i) => i !== 0);
    rejectsChain(missing, state, 'transaction skipped');
    for (let i = 0; i < state.txHash.length; i++) {
      const target = { txId: state.txId, txHash: Uint8Array.from(state.txHash) };
      target.txHash[i] ^= 0x80;
      rejectsChain(txs, target, `state hash byte ${i}`);
    }
  });

  it('reports compromised when the server restarts on an older copy of its data folder', async () => {
    const stateDir = tempStateDir();
    const watcher = ledger(stateDir);
    await watcher.open();
    await watcher.append(record('pkg:npm/react@18.3.1', 'trusted'));
    await suite.server.stop();
    const older = suite.server.copyData('data-older');
    await suite.server.restart();
    await watcher.append(record('pkg:npm/react@18.3.1', 'untrusted', 'bob'));
    const verifiedTx = readSnapshot(watcher.snapshotFile)!.txId;

    await suite.server.restartOn(older);
    await waitFor('compromised after the rollback', () => watcher.state().health === 'compromised');
    assert.match(watcher.state().message, new RegExp(`behind transaction ${verifiedTx}`));
    assert.match(watcher.state().message, /went back to older data/);
    const records = await watcher.history('pkg:npm/react@18.3.1');
    assert.ok(records.length > 0 && records.every((r) => r.proof === 'failed'));
    await assert.rejects(watcher.append(record('pkg:npm/x@1.0.0', 'trusted')), /went back/);

    // The finding is kept: a new process on the same machine still refuses the suite.server.
    await watcher.close();
    const later = ledger(stateDir);
    assert.equal((await later.open()).health, 'compromised');
  });

  it('reports compromised when the server forks: same transaction id, different history', async () => {
    // The previous test left the server on the older copy. Two clients verify the same point.
    const honestDir = tempStateDir();
    const forkerDir = tempStateDir();
    for (const dir of [honestDir, forkerDir]) {
      const l = ledger(dir);
      await l.open();
      await l.close();
    }
    await suite.server.stop();
    const before = suite.server.copyData('data-before-fork');
    await suite.server.restart();

    // The honest client writes on the real history, then goes away.
    const honest = ledger(honestDir);
    await honest.open();
    await honest.append(record('pkg:maven/org.example/a@1.0', 'trusted'));
    const honestTx = readSnapshot(honest.snapshotFile)!.txId;
    await honest.close();

    // The server is put back on the older copy and another history grows to the same length.
    await suite.server.restartOn(before);
    const forker = ledger(forkerDir);
    const forkerState = await forker.open();
    assert.equal(forkerState.health, 'ok', forkerState.message);
    await forker.append(record('pkg:maven/org.example/a@1.0', 'untrusted', 'mallory'));
    assert.equal(readSnapshot(forker.snapshotFile)!.txId, honestTx);

    const back = ledger(honestDir);
    const state = await back.open();
    assert.equal(state.health, 'compromised');
    assert.match(
      state.message,
      new RegExp(`at transaction ${honestTx} differs from the one verified before`),
    );
    assert.ok(
      (await back.history('pkg:maven/org.example/a@1.0')).every((r) => r.proof === 'failed'),
    );
  });

  it('reports compromised when the kept state disagrees with the server', async () => {
    const stateDir = tempStateDir();
    const first = ledger(stateDir);
    await first.open();
    await first.close();
    const snap = readSnapshot(first.snapshotFile)!;
    const alh = Buffer.from(snap.alh, 'hex');
    alh[0] ^= 0xff;
    writeSnapshot(first.snapshotFile, { ...snap, alh: alh.toString('hex') });

    const second = ledger(stateDir);
    const state = await second.open();
    assert.equal(state.health, 'compromised');
    assert.match(state.message, /differs from the one verified before/);

    fs.writeFileSync(first.snapshotFile, '{ not json');
    const third = ledger(stateDir);
    assert.equal((await third.open()).health, 'compromised');
    assert.match(third.state().message, /unreadable/);
  });
});
