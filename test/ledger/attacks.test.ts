import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { EmbeddedLedger } from '../../server/src/ledger/embedded';
import { decision, logPath, sandbox, type Sandbox } from './helpers/ledgers';

/** A small ledger of three records, opened once so that its witness holds the full head. */
async function smallLedger(): Promise<Sandbox> {
  const s = sandbox();
  const ledger = await s.open();
  await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
  await ledger.append(
    decision(s.identity, 'pkg:golang/example.com/b@v1.2.3', 'untrusted', 'CVE-2026-7'),
  );
  await ledger.append(decision(s.identity, 'pkg:gem/c@3.0.0', 'unsupported'));
  await ledger.close();
  return s;
}

async function stateAfterOpen(
  s: Sandbox,
  cacheMinRecords?: number,
): Promise<{ health: string; message: string; fromCache: number }> {
  const ledger = new EmbeddedLedger(s.ledgerDir, { witnessDir: s.witnessDir, cacheMinRecords });
  try {
    const state = await ledger.open();
    return { health: state.health, message: state.message, fromCache: ledger.recordsFromCache };
  } finally {
    await ledger.close();
  }
}

describe('tampering with the embedded ledger is detected', () => {
  let s: Sandbox;
  afterEach(() => s?.remove());

  it('detects a flip of every single byte of the log', async () => {
    s = await smallLedger();
    const original = fs.readFileSync(logPath(s));
    const witnessFiles = fs.readdirSync(s.witnessDir);
    const witness = witnessFiles.map(
      (f) => [f, fs.readFileSync(path.join(s.witnessDir, f))] as const,
    );
    assert.ok(original.length > 900, `log unexpectedly small: ${original.length} bytes`);
    const missed: number[] = [];
    for (let i = 0; i < original.length; i++) {
      const copy = Buffer.from(original);
      copy[i] ^= 0x01;
      fs.writeFileSync(logPath(s), copy);
      const state = await stateAfterOpen(s);
      if (state.health !== 'compromised') missed.push(i);
      // A successful open may have moved the witness on; every flip starts from the same head.
      for (const [f, bytes] of witness) fs.writeFileSync(path.join(s.witnessDir, f), bytes);
    }
    assert.deepEqual(missed, [], `flips at these offsets went unnoticed: ${missed.join(', ')}`);
    fs.writeFileSync(logPath(s), original);
    assert.equal((await stateAfterOpen(s)).health, 'ok');
  });

  it('detects a flip of every single byte of the log when a tree cache covers it', async () => {
    s = await smallLedger();
    // An open with a threshold of 1 record writes the cache; the next one uses it.
    assert.equal((await stateAfterOpen(s, 1)).health, 'ok');
    assert.equal((await stateAfterOpen(s, 1)).fromCache, 3);
    const original = fs.readFileSync(logPath(s));
    const keep = fs
      .readdirSync(s.witnessDir)
      .map((f) => [f, fs.readFileSync(path.join(s.witnessDir, f))] as const);
    assert.equal(keep.length, 2, 'expected a witness and a tree cache');
    const missed: number[] = [];
    for (let i = 0; i < original.length; i++) {
      const copy = Buffer.from(original);
      copy[i] ^= 0x01;
      fs.writeFileSync(logPath(s), copy);
      if ((await stateAfterOpen(s, 1)).health !== 'compromised') missed.push(i);
      for (const [f, bytes] of keep) fs.writeFileSync(path.join(s.witnessDir, f), bytes);
    }
    assert.deepEqual(missed, [], `flips at these offsets went unnoticed: ${missed.join(', ')}`);
  });

  it('detects a truncated log, at a line end and inside a line', async () => {
    s = await smallLedger();
    const original = fs.readFileSync(logPath(s));
    const secondEnd = original.indexOf(0x0a, original.indexOf(0x0a) + 1) + 1;
    for (const length of [0, secondEnd, secondEnd + 17, original.length - 1]) {
      fs.writeFileSync(logPath(s), original.subarray(0, length));
      const state = await stateAfterOpen(s);
      assert.equal(state.health, 'compromised', `truncated to ${length} bytes: ${state.message}`);
      assert.match(state.message, /removed or the folder was replaced/);
    }
  });

  it('detects reordered lines', async () => {
    s = await smallLedger();
    const lines = fs.readFileSync(logPath(s), 'utf8').trimEnd().split('\n');
    fs.writeFileSync(logPath(s), [lines[1], lines[0], lines[2]].join('\n') + '\n');
    const state = await stateAfterOpen(s);
    assert.equal(state.health, 'compromised');
    assert.match(state.message, /no longer match the tree head/);
  });

  it('detects a removed record, even when another takes its place', async () => {
    s = await smallLedger();
    const lines = fs.readFileSync(logPath(s), 'utf8').trimEnd().split('\n');
    fs.writeFileSync(logPath(s), [lines[0], lines[2]].join('\n') + '\n');
    assert.equal((await stateAfterOpen(s)).health, 'compromised');

    // Same size as before: the veto is swapped for a fresh, validly signed approval.
    const replacement = JSON.stringify(
      decision(s.identity, 'pkg:golang/example.com/b@v1.2.3', 'trusted'),
    );
    fs.writeFileSync(logPath(s), [lines[0], replacement, lines[2]].join('\n') + '\n');
    assert.equal((await stateAfterOpen(s)).health, 'compromised');
  });

  it('detects the folder replaced by an older copy of itself', async () => {
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0'));
    const older = path.join(s.root, 'older-copy');
    fs.cpSync(s.ledgerDir, older, { recursive: true });
    await ledger.append(decision(s.identity, 'pkg:npm/a@1.0.0', 'untrusted', 'CVE-2026-9'));
    await ledger.close();

    fs.rmSync(s.ledgerDir, { recursive: true });
    fs.renameSync(older, s.ledgerDir);
    const state = await stateAfterOpen(s);
    assert.equal(state.health, 'compromised');
    assert.match(state.message, /holds 1 records but 2 were verified/);
  });

  it('detects the folder deleted and started afresh', async () => {
    s = await smallLedger();
    fs.rmSync(s.ledgerDir, { recursive: true });
    assert.equal((await stateAfterOpen(s)).health, 'compromised');
  });

  it('detects a record edited in place while the ledger is open, at the next lookup', async () => {
    s = await smallLedger();
    const ledger = await s.open();
    // Read once first, so that the record is among those kept since the file last changed.
    assert.equal((await ledger.lookup(['pkg:golang/example.com/b@v1.2.3'])).size, 1);
    const text = fs.readFileSync(logPath(s), 'utf8');
    fs.writeFileSync(logPath(s), text.replace('CVE-2026-7', 'CVE-2026-8'));
    const found = await ledger.lookup(['pkg:golang/example.com/b@v1.2.3']);
    assert.equal(found.size, 0);
    assert.equal(ledger.state().health, 'compromised');
    assert.match(ledger.state().message, /edited in place/);
  });

  it('treats a damaged witness as a failed check, not as a first use', async () => {
    s = await smallLedger();
    const [file] = fs.readdirSync(s.witnessDir);
    fs.writeFileSync(path.join(s.witnessDir, file), '{"size": 3, "root": "xx"');
    const state = await stateAfterOpen(s);
    assert.equal(state.health, 'compromised');
    assert.match(state.message, /witness .* is damaged/);
  });
});
