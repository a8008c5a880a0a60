import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { EmbeddedLedger } from '../../server/src/ledger/embedded';
import { LedgerError } from '../../server/src/ledger/errors';
import { MerkleTree, hashLeaf, toHex } from '../../server/src/ledger/merkle';
import { canonicalJson } from '../../server/src/ledger/canonical';
import { decision, logPath, sandbox, waitFor, type Sandbox } from './helpers/ledgers';

/** The tree head computed from the log file alone, independently of the ledger's own state. */
function headOfFile(file: string): { size: number; root: string } {
  const lines = fs
    .readFileSync(file)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  const tree = new MerkleTree();
  for (const l of lines) tree.append(hashLeaf(Buffer.from(l, 'utf8')));
  return { size: tree.size, root: toHex(tree.root()) };
}

describe('embedded ledger', () => {
  let s: Sandbox;
  afterEach(() => s?.remove());

  it('appends records as canonical lines and returns the new tree head', async () => {
    s = sandbox();
    const ledger = await s.open();
    assert.equal(ledger.state().health, 'ok');
    const r1 = await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
    const r2 = await ledger.append(
      decision(s.identity, 'pkg:npm/b@2.0.0', 'untrusted', 'CVE-2026-1'),
    );
    assert.deepEqual([r1.index, r1.size, r2.index, r2.size], [0, 1, 1, 2]);
    const head = headOfFile(logPath(s));
    assert.deepEqual({ size: r2.size, root: r2.root }, head);
    assert.equal(ledger.state().root, head.root);
    const lines = fs.readFileSync(logPath(s), 'utf8').trimEnd().split('\n');
    for (const l of lines) assert.equal(l, canonicalJson(JSON.parse(l)));
  });

  it('returns lookups with verified proofs and signatures, oldest first', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0', 'trusted'));
    await ledger.append(decision(s.identity, 'pkg:npm/b@1.0.0', 'trusted'));
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0', 'untrusted', 'CVE-2026-2'));
    const unsigned = { ...decision(s.identity, 'pkg:npm/c@1.0.0'), sig: undefined };
    await ledger.append(unsigned);

    const found = await ledger.lookup(['pkg:npm/a@1.0.0', 'pkg:npm/c@1.0.0', 'pkg:npm/none@1.0.0']);
    assert.deepEqual([...found.keys()].sort(), ['pkg:npm/a@1.0.0', 'pkg:npm/c@1.0.0']);
    const a = found.get('pkg:npm/a@1.0.0')!;
    assert.deepEqual(
      a.map((r) => [r.index, r.record.status, r.proof, r.signature]),
      [
        [0, 'trusted', 'verified', 'valid'],
        [2, 'untrusted', 'verified', 'valid'],
      ],
    );
    assert.equal(found.get('pkg:npm/c@1.0.0')![0].signature, 'missing');
    const history = await ledger.history('pkg:npm/a@1.0.0');
    assert.equal(history[1].record.reason, 'CVE-2026-2');
  });

  it('verifies again on reopen and says the head extends the witnessed one', async () => {
    s = sandbox();
    const first = await s.open();
    await first.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
    await first.close();
    const again = await s.open();
    assert.equal(again.state().health, 'ok');
    assert.match(again.state().message, /1 records; extends the head verified on/);
  });

  it('rejects malformed records and records whose signature fails', async () => {
    s = sandbox();
    const ledger = await s.open();
    const forged = { ...decision(s.identity, 'pkg:npm/a@1.0.0'), reason: 'changed after signing' };
    await assert.rejects(ledger.append(forged), (e: LedgerError) => e.code === 'RECORD_REJECTED');
    const bad = { ...decision(s.identity, 'pkg:npm/a@1.0.0'), status: 'maybe' } as never;
    await assert.rejects(ledger.append(bad), (e: LedgerError) => e.code === 'RECORD_REJECTED');
    assert.equal(ledger.state().size, 0);
  });

  it('never counts a record whose signature fails, and reports it', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.close();
    // A writer that does not check signatures (another tool, or an attacker) appends one.
    const forged = { ...decision(s.identity, 'pkg:npm/evil@1.0.0'), reason: 'edited' };
    fs.appendFileSync(logPath(s), canonicalJson(forged) + '\n');
    const reader = await s.open();
    assert.equal(reader.state().health, 'ok');
    const [r] = await reader.history('pkg:npm/evil@1.0.0');
    assert.equal(r.signature, 'invalid');
    assert.equal(r.proof, 'verified');
    const problems = reader.state().problems ?? [];
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'SIGNATURE_INVALID');
    assert.equal(problems[0].index, 0);
    const report = await reader.verifyAll();
    assert.deepEqual(report.invalid, [0]);
  });

  it('keeps signature results beside the witness, for this head only', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/good@1.0.0'));
    await ledger.close();
    const forged = { ...decision(s.identity, 'pkg:npm/evil@1.0.0'), reason: 'edited' };
    fs.appendFileSync(logPath(s), canonicalJson(forged) + '\n');

    const first = await s.open();
    assert.equal(first.state().problems, undefined, 'signatures are not checked at open');
    await first.lookup(['pkg:npm/good@1.0.0', 'pkg:npm/evil@1.0.0']);
    assert.equal(first.state().problems?.length, 1);
    await first.close();
    const second = await s.open();
    assert.deepEqual(
      second.state().problems?.map((p) => p.index),
      [1],
      'results of the first process reused',
    );
    await second.close();

    // Another log under the same name (the witness deleted to accept it): results do not carry.
    const [good, evil] = fs.readFileSync(logPath(s), 'utf8').split('\n');
    fs.writeFileSync(
      logPath(s),
      canonicalJson({ ...JSON.parse(good), reason: 'forged' }) + '\n' + evil + '\n',
    );
    for (const f of fs.readdirSync(s.witnessDir))
      if (f.endsWith('.json')) fs.rmSync(`${s.witnessDir}/${f}`);
    const third = await s.open();
    assert.deepEqual([third.state().health, third.state().size], ['ok', 2]);
    assert.equal((await third.history('pkg:npm/good@1.0.0'))[0].signature, 'invalid');
  });

  it('picks up appends of another ledger instance and tells listeners within a second', async () => {
    s = sandbox();
    const reader = await s.open();
    const writer = new EmbeddedLedger(s.ledgerDir, { witnessDir: s.witnessDir });
    await writer.open();
    let calls = 0;
    reader.onDidChange(() => calls++);
    const started = Date.now();
    await writer.append(decision(s.identity, 'pkg:npm/late@1.0.0'));
    await waitFor(
      () => reader.state().size === 1 && calls > 0,
      1000,
      'the reader to see the append',
    );
    assert.ok(Date.now() - started < 1000);
    const found = await reader.lookup(['pkg:npm/late@1.0.0']);
    assert.equal(found.get('pkg:npm/late@1.0.0')![0].proof, 'verified');
    await writer.close();
  });

  it('opens from a tree cache with the same head, and ignores a damaged cache', async () => {
    s = sandbox();
    const writer = new EmbeddedLedger(s.ledgerDir, {
      witnessDir: s.witnessDir,
      cacheMinRecords: 4,
    });
    await writer.open();
    for (let i = 0; i < 10; i++) await writer.append(decision(s.identity, `pkg:npm/p${i}@1.0.0`));
    const head = writer.state().root;
    await writer.close();

    const open = async (): Promise<EmbeddedLedger> => {
      const l = new EmbeddedLedger(s.ledgerDir, { witnessDir: s.witnessDir, cacheMinRecords: 4 });
      await l.open();
      return l;
    };
    const first = await open();
    assert.equal(first.recordsFromCache, 0, 'no cache before the first open wrote one');
    await first.close();
    const cached = await open();
    assert.equal(cached.recordsFromCache, 10);
    assert.deepEqual([cached.state().health, cached.state().root], ['ok', head]);
    const found = await cached.lookup(['pkg:npm/p3@1.0.0', 'pkg:npm/p9@1.0.0']);
    assert.deepEqual(
      [...found.values()].map((l) => [l[0].index, l[0].proof, l[0].signature]),
      [
        [3, 'verified', 'valid'],
        [9, 'verified', 'valid'],
      ],
    );
    await cached.append(decision(s.identity, 'pkg:npm/after@1.0.0'));
    await cached.close();

    const [cacheFile] = fs.readdirSync(s.witnessDir).filter((f) => f.endsWith('.tree'));
    const bytes = fs.readFileSync(`${s.witnessDir}/${cacheFile}`);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(`${s.witnessDir}/${cacheFile}`, bytes);
    const damaged = await open();
    assert.equal(damaged.recordsFromCache, 0);
    assert.equal(damaged.state().health, 'ok');
    assert.equal(damaged.state().size, 11);
    await damaged.close();
  });

  it('grows past the record table and purl index a tree cache gave it, and caches again', async () => {
    s = sandbox();
    // Thousands of lines written straight into the log (one signature, reused: the copies do
    // not verify, which lookups report but which does not matter here).
    const base = decision(s.identity, 'pkg:npm/p0@1.0.0');
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      lines.push(canonicalJson({ ...base, subject: { ...base.subject, purl: `pkg:npm/p${i}@1.0.0` } }));
    }
    fs.mkdirSync(s.ledgerDir, { recursive: true });
    fs.writeFileSync(logPath(s), lines.join('\n') + '\n');
    const open = async (): Promise<EmbeddedLedger> => {
      const l = new EmbeddedLedger(s.ledgerDir, { witnessDir: s.witnessDir, cacheMinRecords: 1 });
      await l.open();
      return l;
    };
    const indexes = async (l: EmbeddedLedger, purls: string[]): Promise<number[]> => {
      const found = await l.lookup(purls);
      return purls.map((p) => found.get(p)?.[0]?.index ?? -1);
    };
    await (await open()).close();
    const cached = await open();
    assert.equal(cached.recordsFromCache, 3000);
    await cached.append(decision(s.identity, 'pkg:npm/after@1.0.0'));
    const wanted = ['pkg:npm/p0@1.0.0', 'pkg:npm/p2999@1.0.0', 'pkg:npm/after@1.0.0'];
    assert.deepEqual(await indexes(cached, wanted), [0, 2999, 3000]);
    assert.equal(cached.state().health, 'ok');
    await cached.close();

    // The next open takes the 3,000 cached records, reads the appended one, and caches all;
    // the one after that takes all 3,001 from the cache.
    const again = await open();
    assert.equal(again.recordsFromCache, 3000);
    await again.close();
    const last = await open();
    assert.equal(last.recordsFromCache, 3001);
    assert.deepEqual(await indexes(last, wanted), [0, 2999, 3000]);
    assert.deepEqual([last.state().health, last.state().size], ['ok', 3001]);
    await last.close();
  });

  it('refuses to write to a compromised ledger', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
    await ledger.close();
    fs.writeFileSync(logPath(s), '');
    const reopened = await s.open();
    assert.equal(reopened.state().health, 'compromised');
    await assert.rejects(
      reopened.append(decision(s.identity, 'pkg:npm/b@1.0.0')),
      (e: LedgerError) => e.code === 'LEDGER_COMPROMISED',
    );
    assert.equal(fs.readFileSync(logPath(s), 'utf8'), '');
  });
});
