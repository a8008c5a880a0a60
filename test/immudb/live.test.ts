import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImmudbLedgerOptions } from '../../server/src/ledger/immudb';
import type { TrustRecord } from '../../server/src/ledger/record';
import { immudbSuite, tempStateDir } from '../helpers/immudb';

function record(purl: string, status: TrustRecord['status'], actor: string): TrustRecord {
  return {
    v: 1,
    subject: { purl },
    status,
    actor: { name: actor },
    time: new Date().toISOString(),
  };
}

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('immudb ledger while the server comes and goes', () => {
  const suite = immudbSuite();
  const ledger = (extra: Partial<ImmudbLedgerOptions> = {}) => suite.ledger(extra);

  it("shows another client's revocation through onDidChange within five seconds", async () => {
    const alice = ledger();
    const bob = ledger(); // default poll interval
    await alice.open();
    const purl = 'pkg:golang/golang.org/x/text@v0.14.0';
    await alice.append(record(purl, 'trusted', 'alice'));
    await bob.open();
    assert.equal((await bob.history(purl)).at(-1)?.record.status, 'trusted');

    let seenAt = 0;
    bob.onDidChange(() => {
      if (!seenAt) seenAt = Date.now();
    });
    const revokedAt = Date.now();
    await alice.append(record(purl, 'untrusted', 'alice'));
    await waitFor('the change event', () => seenAt > 0, 5_000);
    assert.ok(seenAt - revokedAt < 5_000, `seen after ${seenAt - revokedAt} ms`);
    const history = await bob.history(purl);
    assert.equal(history.at(-1)?.record.status, 'untrusted');
    assert.equal(history.at(-1)?.proof, 'verified');
  });

  it('answers from the verified snapshot while the server is down, then recovers by itself', async () => {
    const stateDir = tempStateDir();
    const client = ledger({ stateDir, pollMs: 200 });
    await client.open();
    const purl = 'pkg:npm/express@4.19.2';
    await client.append(record(purl, 'trusted', 'carol'));
    let changes = 0;
    client.onDidChange(() => changes++);

    await suite.server.stop();
    await waitFor('stale', () => client.state().health === 'stale');
    assert.match(client.state().message, /cannot be reached/);
    assert.match(client.state().message, /showing records verified \d+ s ago \(transaction \d+\)/);
    const offline = await client.history(purl);
    assert.equal(offline.at(-1)?.record.status, 'trusted');
    assert.equal(offline.at(-1)?.proof, 'verified');
    await assert.rejects(client.append(record(purl, 'untrusted', 'carol')), /cannot be reached/);

    // Another process started while the server is down reads the kept snapshot.
    const cold = ledger({ stateDir });
    const coldState = await cold.open();
    assert.equal(coldState.health, 'stale');
    assert.equal((await cold.history(purl)).at(-1)?.record.status, 'trusted');

    const before = changes;
    await suite.server.restart();
    await waitFor('ok again', () => client.state().health === 'ok');
    assert.ok(changes > before, 'recovery fires onDidChange');
    await client.append(record(purl, 'untrusted', 'carol'));
    assert.equal((await client.history(purl)).at(-1)?.record.status, 'untrusted');
    await waitFor('the cold client to recover', () => cold.state().health === 'ok');
  });

  it('opens as unavailable with no snapshot and no server, and never shows records then', async () => {
    await suite.server.stop();
    try {
      const client = ledger({ pollMs: 200, timeoutMs: 1000 });
      const state = await client.open();
      assert.equal(state.health, 'unavailable');
      assert.match(state.message, /cannot be reached/);
      assert.equal((await client.lookup(['pkg:npm/express@4.19.2'])).size, 0);
      await suite.server.restart();
      await waitFor('ok once the server is back', () => client.state().health === 'ok');
      assert.equal((await client.history('pkg:npm/express@4.19.2')).length, 2);
    } finally {
      if (!suite.server.running) await suite.server.restart();
    }
  });
});
