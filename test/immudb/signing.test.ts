import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImmudbLedger } from '../../server/src/ledger/immudb';
import { ImmudbError } from '../../server/src/ledger/immudb-proto';
import { createLedger } from '../../server/src/ledger/open';
import type { TrustRecord } from '../../server/src/ledger/record';
import { ADMIN_PASSWORD, ADMIN_USER, ImmudbServer, tempStateDir } from '../helpers/immudb';

function serverKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const record: TrustRecord = {
  v: 1,
  subject: { purl: 'pkg:npm/chalk@5.3.0' },
  status: 'trusted',
  actor: { name: 'erin' },
  time: '2026-12-03T12:00:00Z',
};

describe('immudb state signatures (server started with --signingKey)', () => {
  const keys = serverKeys();
  let signing: ImmudbServer;
  let plain: ImmudbServer;
  const ledgers: ImmudbLedger[] = [];

  function ledger(server: ImmudbServer, serverKey: string): ImmudbLedger {
    const l = new ImmudbLedger({
      address: server.address,
      database: 'defaultdb',
      user: ADMIN_USER,
      password: ADMIN_PASSWORD,
      stateDir: tempStateDir(),
      serverKey,
    });
    ledgers.push(l);
    return l;
  }

  before(async () => {
    signing = await ImmudbServer.start({ signingKeyPem: keys.privatePem });
    plain = await ImmudbServer.start();
  });

  after(async () => {
    for (const l of ledgers) await l.close();
    await signing?.dispose();
    await plain?.dispose();
  });

  it('accepts states signed with the pinned key', async () => {
    const l = ledger(signing, keys.publicPem);
    assert.equal((await l.open()).health, 'ok');
    await l.append(record);
    assert.equal((await l.history(record.subject.purl))[0]?.proof, 'verified');
    assert.equal(l.state().health, 'ok');
  });

  it('reports compromised when the states are signed with another key', async () => {
    const l = ledger(signing, serverKeys().publicPem);
    const state = await l.open();
    assert.equal(state.health, 'compromised');
    assert.match(state.message, /not signed by the server key deptrust was given/);
    assert.deepEqual(await l.lookup([record.subject.purl]), new Map());
  });

  it('reports compromised when a key is pinned but the server does not sign', async () => {
    const l = ledger(plain, keys.publicPem);
    const state = await l.open();
    assert.equal(state.health, 'compromised');
    assert.match(state.message, /did not sign its state/);
  });

  it('takes the pinned key from DEPTRUST_IMMUDB_SERVER_KEY through createLedger', async () => {
    const dir = tempStateDir();
    const keyFile = path.join(dir, 'server.pub');
    fs.writeFileSync(keyFile, serverKeys().publicPem);
    const saved = { home: process.env.DEPTRUST_HOME, key: process.env.DEPTRUST_IMMUDB_SERVER_KEY };
    process.env.DEPTRUST_HOME = dir;
    process.env.DEPTRUST_IMMUDB_SERVER_KEY = keyFile;
    try {
      const options = { address: signing.address, user: ADMIN_USER, password: ADMIN_PASSWORD };
      const l = createLedger({ kind: 'immudb', ...options });
      assert.equal((await l.open()).health, 'compromised');
      await l.close();
      process.env.DEPTRUST_IMMUDB_SERVER_KEY = path.join(dir, 'absent.pub');
      assert.throws(() => createLedger({ kind: 'immudb', ...options }), /cannot read the immudb/);
    } finally {
      for (const [name, value] of [
        ['DEPTRUST_HOME', saved.home],
        ['DEPTRUST_IMMUDB_SERVER_KEY', saved.key],
      ]) {
        if (value === undefined) delete process.env[name as string];
        else process.env[name as string] = value;
      }
    }
  });

  it('refuses a pinned key that is not an ECDSA P-256 public key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(
      () => ledger(plain, pem),
      (e: unknown) =>
        e instanceof ImmudbError && e.code === 'IMMUDB_CONFIG' && /P-256/.test(e.message),
    );
  });
});
