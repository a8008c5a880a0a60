import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  createIdentity,
  identityPath,
  loadIdentity,
  signDecision,
  type IdentityError,
} from '../../server/src/identity/identity';
import { signingBytes } from '../../server/src/ledger/canonical';
import { checkSignature, parsePublicKey } from '../../server/src/ledger/signature';
import { decision, sandbox, tempDir, type Sandbox } from '../ledger/helpers/ledgers';

const CLI = path.join(__dirname, 'helpers', 'cli.ts');

function run(
  home: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, DEPTRUST_HOME: home };
  delete env.DEPTRUST_IDENTITY;
  delete env.DEPTRUST_LEDGER;
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('identities', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('writes a key file only its user can read, and reads it back', () => {
    const { dir, remove } = tempDir('deptrust-id-');
    cleanup = remove;
    const file = path.join(dir, 'nested', 'identity.json');
    const created = createIdentity('alice', { path: file });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.match(created.publicKey, /^ed25519:[A-Za-z0-9+/]{43}=$/);
    assert.ok(parsePublicKey(created.publicKey));
    const loaded = loadIdentity({ path: file })!;
    assert.deepEqual([loaded.name, loaded.publicKey], ['alice', created.publicKey]);
    assert.deepEqual(loaded.secretKey, created.secretKey);
  });

  it('refuses to replace an identity unless forced', () => {
    const { dir, remove } = tempDir('deptrust-id-');
    cleanup = remove;
    const file = path.join(dir, 'identity.json');
    const first = createIdentity('alice', { path: file });
    assert.throws(
      () => createIdentity('alice', { path: file }),
      (e: IdentityError) => e.code === 'IDENTITY_EXISTS',
    );
    fs.chmodSync(file, 0o644);
    const second = createIdentity('alice2', { path: file, force: true });
    assert.notEqual(second.publicKey, first.publicKey);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('refuses key files others can read, broken files and keys that do not match', () => {
    const { dir, remove } = tempDir('deptrust-id-');
    cleanup = remove;
    const file = path.join(dir, 'identity.json');
    createIdentity('alice', { path: file });
    fs.chmodSync(file, 0o640);
    assert.throws(
      () => loadIdentity({ path: file }),
      (e: IdentityError) => e.code === 'IDENTITY_PERMISSIONS',
    );
    fs.chmodSync(file, 0o600);
    const content = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(
      file,
      JSON.stringify({ ...content, publicKey: 'ed25519:' + Buffer.alloc(32).toString('base64') }),
    );
    assert.throws(
      () => loadIdentity({ path: file }),
      (e: IdentityError) => e.code === 'IDENTITY_MALFORMED',
    );
    fs.writeFileSync(file, '{"v": 1, "name": "alice"');
    assert.throws(
      () => loadIdentity({ path: file }),
      (e: IdentityError) => e.code === 'IDENTITY_MALFORMED',
    );
    assert.equal(loadIdentity({ path: path.join(dir, 'absent.json') }), undefined);
    assert.throws(
      () => createIdentity('  ', { path: path.join(dir, 'x.json') }),
      (e: IdentityError) => e.code === 'IDENTITY_NAME',
    );
  });

  it('keeps identities under the data folder by default', () => {
    const { dir, remove } = tempDir('deptrust-id-');
    cleanup = remove;
    const before = { home: process.env.DEPTRUST_HOME, id: process.env.DEPTRUST_IDENTITY };
    process.env.DEPTRUST_HOME = dir;
    delete process.env.DEPTRUST_IDENTITY;
    try {
      assert.equal(identityPath(), path.join(dir, 'identity.json'));
    } finally {
      if (before.home === undefined) delete process.env.DEPTRUST_HOME;
      else process.env.DEPTRUST_HOME = before.home;
      if (before.id !== undefined) process.env.DEPTRUST_IDENTITY = before.id;
    }
  });
});

describe('record signatures', () => {
  let s: Sandbox;
  afterEach(() => s?.remove());

  it('sign the canonical encoding without `sig`, so member order does not matter', () => {
    s = sandbox();
    const record = signDecision(s.identity, {
      subject: { purl: 'pkg:npm/a@1.0.0', checksum: 'sha512-AA==' },
      status: 'trusted',
      reason: 'ok',
    });
    assert.equal(checkSignature(record), 'valid');
    const reordered = JSON.parse(
      JSON.stringify({
        sig: record.sig,
        time: record.time,
        v: 1,
        status: record.status,
        reason: 'ok',
        actor: record.actor,
        subject: { checksum: 'sha512-AA==', purl: 'pkg:npm/a@1.0.0' },
      }),
    );
    assert.equal(checkSignature(reordered), 'valid');
    const bytes = new TextDecoder().decode(signingBytes(record));
    assert.equal(bytes.split('\n')[0], 'deptrust-record-v1');
    assert.ok(!bytes.includes('"sig"'));
    // An independent Ed25519 implementation agrees (noble signs, OpenSSL verifies above).
    const key = parsePublicKey(record.actor.key!)!;
    assert.ok(ed25519.verify(Buffer.from(record.sig!, 'base64'), signingBytes(record), key));
  });

  it('fail for every changed member, another key, and a mangled signature', () => {
    s = sandbox();
    const record = decision(s.identity, 'pkg:npm/a@1.0.0', 'trusted', 'reviewed');
    const other = createIdentity('bob', { path: path.join(s.root, 'bob.json') });
    const variants = [
      { ...record, status: 'untrusted' as const },
      { ...record, reason: 'reviewed!' },
      { ...record, time: '2027-01-01T00:00:00Z' },
      { ...record, subject: { ...record.subject, purl: 'pkg:npm/a@1.0.1' } },
      { ...record, subject: { ...record.subject, checksum: 'sha512-BB==' } },
      { ...record, actor: { ...record.actor, name: 'mallory' } },
      { ...record, actor: { ...record.actor, key: other.publicKey } },
      { ...record, extra: 'added' },
      { ...record, sig: record.sig!.slice(0, -4) + 'AAA=' },
      { ...record, sig: 'not base64!' },
      { ...record, actor: { name: record.actor.name } },
    ];
    for (const v of variants)
      assert.equal(checkSignature(v as never), 'invalid', JSON.stringify(v));
    assert.equal(checkSignature({ ...record, sig: undefined }), 'missing');
  });
});

describe('deptrust identity and deptrust verify', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('create an identity, show it, and refuse a second one', () => {
    const { dir, remove } = tempDir('deptrust-cli-');
    cleanup = remove;
    let r = run(dir, 'identity', 'show');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no identity yet.*\[NO_IDENTITY\]/);
    r = run(dir, 'identity', 'create', '--name', 'alice');
    assert.equal(r.status, 0, r.stderr);
    const key = /key: (ed25519:\S+)/.exec(r.stdout)![1];
    assert.equal(fs.statSync(path.join(dir, 'identity.json')).mode & 0o777, 0o600);
    r = run(dir, 'identity', 'show');
    assert.equal(r.status, 0);
    assert.match(r.stdout, new RegExp(`name: alice\\nkey: ${key.replace(/[+/]/g, '\\$&')}\\n`));
    r = run(dir, 'identity', 'create', '--name', 'alice');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /IDENTITY_EXISTS/);
  });

  it('verify prints size, root and result, and exits 2 on a compromised ledger', async () => {
    const { dir, remove } = tempDir('deptrust-cli-');
    cleanup = remove;
    const ledgerDir = path.join(dir, 'ledger');
    assert.equal(run(dir, 'identity', 'create', '--name', 'alice').status, 0);
    const { EmbeddedLedger } = await import('../../server/src/ledger/embedded');
    const identity = loadIdentity({ path: path.join(dir, 'identity.json') })!;
    const ledger = new EmbeddedLedger(ledgerDir, { witnessDir: path.join(dir, 'witness') });
    await ledger.open();
    await ledger.append(decision(identity, 'pkg:npm/a@1.0.0'));
    const last = await ledger.append(decision(identity, 'pkg:npm/b@1.0.0'));
    await ledger.close();

    let r = run(dir, 'verify', '--ledger', ledgerDir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^size: 2 records$/m);
    assert.match(r.stdout, new RegExp(`^root: ${last.root}$`, 'm'));
    assert.match(r.stdout, /^signatures: 2 valid, 0 unsigned, 0 invalid$/m);
    assert.match(r.stdout, /^result: ok: 2 records; extends the head verified/m);

    const log = path.join(ledgerDir, 'records.jsonl');
    fs.writeFileSync(
      log,
      fs.readFileSync(log, 'utf8').replace('pkg:npm/a@1.0.0', 'pkg:npm/z@1.0.0'),
    );
    r = run(dir, 'verify', '--ledger', ledgerDir);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /^result: compromised: the first 2 records no longer match/m);
  });
});
