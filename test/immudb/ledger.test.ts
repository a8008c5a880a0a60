import { ed25519 } from '@noble/curves/ed25519.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signingBytes } from '../../server/src/ledger/canonical';
import { LedgerError } from '../../server/src/ledger/errors';
import type { ImmudbLedgerOptions } from '../../server/src/ledger/immudb';
import { ImmudbConnection, ImmudbError } from '../../server/src/ledger/immudb-proto';
import type { TrustRecord } from '../../server/src/ledger/record';
import { ADMIN_PASSWORD, ADMIN_USER, immudbSuite } from '../helpers/immudb';

function record(
  purl: string,
  status: TrustRecord['status'],
  extra: Partial<TrustRecord> = {},
): TrustRecord {
  return {
    v: 1,
    subject: { purl, checksum: `sha512-${Buffer.from(purl).toString('base64')}` },
    status,
    actor: { name: 'alice', key: 'ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
    time: '2026-12-03T10:00:00Z',
    ...extra,
  };
}

const secret = ed25519.utils.randomSecretKey();
const KEY = `ed25519:${Buffer.from(ed25519.getPublicKey(secret)).toString('base64')}`;

function signed(r: TrustRecord): TrustRecord {
  const withKey = { ...r, actor: { ...r.actor, key: KEY } };
  return {
    ...withKey,
    sig: Buffer.from(ed25519.sign(signingBytes(withKey), secret)).toString('base64'),
  };
}

describe('immudb ledger against a real server', () => {
  const suite = immudbSuite();
  const ledger = (extra: Partial<ImmudbLedgerOptions> = {}) => suite.ledger(extra);

  it('writes records, reads them back byte-identical, and keeps their history in order', async () => {
    const writer = ledger();
    assert.equal((await writer.open()).health, 'ok');
    const purl = 'pkg:npm/left-pad@1.3.0';
    const first = signed(record(purl, 'trusted', { reason: 'reviewed ✓' }));
    const second = record(purl, 'untrusted', {
      time: '2026-12-03T11:00:00Z',
      reason: 'CVE-2026-0001',
    });
    delete second.actor.key;
    const a = await writer.append(first);
    const b = await writer.append(second);
    assert.equal(b.index, a.index + 1);
    assert.match(b.root, /^[0-9a-f]{64}$/);

    // A second client with no kept state verifies the whole history from transaction 1.
    const reader = ledger();
    const state = await reader.open();
    assert.equal(state.health, 'ok');
    assert.equal(state.root, b.root);
    const history = await reader.history(purl);
    assert.deepEqual(
      history.map((h) => h.record),
      [first, second],
    );
    assert.deepEqual(
      history.map((h) => h.proof),
      ['verified', 'verified'],
    );
    assert.equal(history[0].ledger, `immudb ${suite.server.address}/defaultdb`);
    assert.deepEqual(
      history.map((h) => h.signature),
      ['valid', 'missing'],
    );
    assert.deepEqual(await reader.history('pkg:npm/unknown@1.0.0'), []);
  });

  it('refuses malformed and badly signed records, and flags a bad signature written around it', async () => {
    const l = ledger();
    await l.open();
    const good = signed(record('pkg:npm/lodash@4.17.21', 'trusted'));
    const forged = { ...good, status: 'untrusted' as const };
    await assert.rejects(
      l.append(forged),
      (e: unknown) => e instanceof LedgerError && e.code === 'RECORD_REJECTED',
    );
    const broken = { ...good, subject: { purl: 'lodash' } };
    await assert.rejects(
      l.append(broken),
      (e: unknown) => e instanceof LedgerError && e.code === 'RECORD_REJECTED',
    );

    // Another immudb client files the forged record directly: it is read, never counted.
    const raw = new ImmudbConnection({
      address: suite.server.address,
      database: 'defaultdb',
      user: ADMIN_USER,
      password: ADMIN_PASSWORD,
    });
    await raw.login();
    const enc = new TextEncoder();
    await raw.set([
      {
        key: enc.encode(`deptrust/record/${forged.subject.purl}`),
        value: enc.encode(JSON.stringify(forged)),
      },
    ]);
    await raw.set([
      {
        key: enc.encode('deptrust/record/pkg:npm/other@1.0.0'),
        value: enc.encode(JSON.stringify(good)),
      },
    ]);
    await raw.set([
      { key: enc.encode('deptrust/record/pkg:npm/junk@1.0.0'), value: enc.encode('{not json') },
    ]);
    raw.close();
    const [read] = await l.history(forged.subject.purl);
    assert.equal(read.signature, 'invalid');
    assert.equal(read.proof, 'verified');
    assert.equal(l.state().problems?.[0]?.code, 'SIGNATURE_INVALID');
    // Filed under another purl than its subject, or not a record at all: not shown.
    assert.deepEqual(await l.history('pkg:npm/other@1.0.0'), []);
    assert.deepEqual(await l.history('pkg:npm/junk@1.0.0'), []);
  });

  it('answers a lookup of 3,000 purls with at most two round trips', async () => {
    const writer = ledger();
    await writer.open();
    const records = Array.from({ length: 3000 }, (_, i) =>
      record(`pkg:golang/example.com/m${i}@v1.0.${i}`, 'trusted'),
    );
    const indexes = await writer.appendAll(records);
    assert.equal(indexes.length, 3000);

    const reader = ledger();
    await reader.open();
    const before = reader.roundTrips;
    const found = await reader.lookup([
      ...records.map((r) => r.subject.purl),
      'pkg:npm/absent@1.0.0',
    ]);
    const trips = reader.roundTrips - before;
    assert.equal(found.size, 3000);
    assert.equal(
      found.get(records[1234].subject.purl)?.[0].record.subject.checksum,
      records[1234].subject.checksum,
    );
    assert.ok(!found.has('pkg:npm/absent@1.0.0'));
    assert.ok(trips <= 2, `lookup took ${trips} round trips`);

    // Opening from nothing reads 3,000+ records in a handful of calls (login, state, scans).
    const fresh = ledger({ pageSize: 1000 });
    await fresh.open();
    assert.ok(fresh.roundTrips <= 8, `first open took ${fresh.roundTrips} round trips`);

    // A client that accepts only small answers shrinks its scans and still reads everything.
    const small = ledger({ maxMessageBytes: 300_000 });
    assert.equal((await small.open()).health, 'ok');
    assert.equal((await small.lookup(records.map((r) => r.subject.purl))).size, 3000);
    assert.ok(small.roundTrips > fresh.roundTrips, 'the large scan was refused and retried');
  });

  it('rejects a wrong password with a clear, coded error', async () => {
    const l = ledger({ password: 'not-the-password' });
    await assert.rejects(l.open(), (err: unknown) => {
      assert.ok(err instanceof ImmudbError);
      assert.equal(err.code, 'IMMUDB_AUTH');
      assert.match(err.message, /refused the user or password/);
      return true;
    });
    assert.equal(l.state().health, 'unavailable');
  });

  it('rejects an unknown database with a clear, coded error', async () => {
    const l = ledger({ database: 'nosuchdb' });
    await assert.rejects(l.open(), (err: unknown) => {
      assert.ok(err instanceof ImmudbError);
      assert.equal(err.code, 'IMMUDB_UNKNOWN_DATABASE');
      assert.match(err.message, /no database "nosuchdb"/);
      return true;
    });
  });

  it('refuses to open without a password', async () => {
    const l = ledger({ password: '' });
    await assert.rejects(
      l.open(),
      (err: unknown) => err instanceof ImmudbError && err.code === 'IMMUDB_CONFIG',
    );
  });
});
