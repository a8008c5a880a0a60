import { ed25519 } from '@noble/curves/ed25519.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signingBytes } from '../../server/src/ledger/canonical';
import { ImmudbLedger } from '../../server/src/ledger/immudb';
import { createLedger } from '../../server/src/ledger/open';
import type { TrustRecord } from '../../server/src/ledger/record';
import { ADMIN_PASSWORD, ADMIN_USER, ImmudbServer, tempStateDir } from '../helpers/immudb';

const CLI = path.join(__dirname, 'fixtures', 'ledger-cli.ts');
const secret = ed25519.utils.randomSecretKey();
const KEY = `ed25519:${Buffer.from(ed25519.getPublicKey(secret)).toString('base64')}`;

function signed(purl: string, status: TrustRecord['status'], time: string): TrustRecord {
  const r: TrustRecord = {
    v: 1,
    subject: { purl, checksum: 'sha512-AAAA' },
    status,
    actor: { name: 'dana', key: KEY },
    time,
  };
  return { ...r, sig: Buffer.from(ed25519.sign(signingBytes(r), secret)).toString('base64') };
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('deptrust ledger copy --from embedded --to immudb', () => {
  let server: ImmudbServer;
  let home: string;

  before(async () => {
    server = await ImmudbServer.start();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-copy-'));
  });

  after(async () => {
    await server?.dispose();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('copies every record with its signature intact, and skips them the second time', async () => {
    const dir = path.join(home, 'embedded');
    const embedded = createLedger({ kind: 'embedded', dir });
    await embedded.open();
    const records = [
      signed('pkg:npm/react@18.3.1', 'trusted', '2026-12-01T09:00:00Z'),
      signed('pkg:npm/react@18.3.1', 'untrusted', '2026-12-02T09:00:00Z'),
      signed('pkg:gem/rake@13.1.0', 'unsupported', '2026-12-02T10:00:00Z'),
    ];
    for (const r of records) await embedded.append(r);
    await embedded.close();

    const args = [
      'ledger',
      'copy',
      '--from',
      'embedded',
      '--to',
      'immudb',
      '--ledger',
      dir,
      '--immudb',
      server.address,
    ];
    const env = {
      DEPTRUST_HOME: path.join(home, 'data'),
      DEPTRUST_IMMUDB_PASSWORD: ADMIN_PASSWORD,
    };
    const first = await run(args, env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stdout,
      /^copied 3 of 3 records from embedded .* to immudb 127\.0\.0\.1:\d+\/defaultdb; 0 already there\n$/,
    );

    const second = await run(args, env);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /^copied 0 of 3 records .*; 3 already there\n$/);

    const reader = new ImmudbLedger({
      address: server.address,
      database: 'defaultdb',
      user: ADMIN_USER,
      password: ADMIN_PASSWORD,
      stateDir: tempStateDir(),
    });
    await reader.open();
    try {
      const react = await reader.history('pkg:npm/react@18.3.1');
      assert.deepEqual(
        react.map((r) => r.record),
        records.slice(0, 2),
      );
      assert.deepEqual(
        react.map((r) => r.signature),
        ['valid', 'valid'],
      );
      assert.equal((await reader.all()).length, 3);
    } finally {
      await reader.close();
    }
  });

  it('fails clearly without a password or with a wrong one', async () => {
    const args = [
      'ledger',
      'copy',
      '--from',
      'embedded',
      '--to',
      'immudb',
      '--ledger',
      path.join(home, 'embedded'),
      '--immudb',
      server.address,
    ];
    const none = await run(args, {
      DEPTRUST_HOME: path.join(home, 'data'),
      DEPTRUST_IMMUDB_PASSWORD: '',
    });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /set DEPTRUST_IMMUDB_PASSWORD.*\[IMMUDB_CONFIG\]/);
    const wrong = await run(args, {
      DEPTRUST_HOME: path.join(home, 'data'),
      DEPTRUST_IMMUDB_PASSWORD: 'nope',
    });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /refused the user or password.*\[IMMUDB_AUTH\]/);
  });
});
