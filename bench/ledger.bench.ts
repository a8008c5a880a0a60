// Measures the embedded ledger: open + verify at 1,000 / 100,000 / 1,000,000 records, a lookup
// of 3,000 purls, appends per second with fsync, and `verifyAll` where it takes seconds.
//   node --import tsx bench/ledger.bench.ts [sizes...]     e.g. `... ledger.bench.ts 1000 100000`
// Prints one line per figure; docs/LEDGER.md quotes a run. Not a test: nothing here asserts.
import { createPrivateKey, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createIdentity, signDecision, type Identity } from '../server/src/identity/identity';
import { canonicalJson, signingBytes } from '../server/src/ledger/canonical';
import { EmbeddedLedger } from '../server/src/ledger/embedded';
import type { TrustRecord } from '../server/src/ledger/record';
import { parsePublicKey } from '../server/src/ledger/signature';

const LOOKUPS = 3000;
const APPENDS = 300;

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

function purlOf(i: number): string {
  return `pkg:npm/bench-package-${i}@1.${i % 100}.${i % 7}`;
}

/**
 * Writes N signed records straight into a log, as N appends would. Signed with node:crypto
 * (OpenSSL) here only because signing a million records with @noble/curves takes half an hour.
 */
function writeLog(dir: string, n: number, identity: Identity): void {
  const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const key = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: b64url(identity.secretKey),
      x: b64url(parsePublicKey(identity.publicKey)!),
    },
    format: 'jwk',
  });
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, 'records.jsonl'), 'w');
  let batch: string[] = [];
  for (let i = 0; i < n; i++) {
    const record: TrustRecord = {
      v: 1,
      subject: {
        purl: purlOf(i),
        checksum: `sha512-${Buffer.alloc(64, i % 251).toString('base64')}`,
      },
      status: i % 10 === 0 ? 'untrusted' : 'trusted',
      actor: { name: identity.name, key: identity.publicKey },
      time: '2026-12-01T10:00:00Z',
      reason: `benchmark record ${i}`,
    };
    record.sig = sign(null, signingBytes(record), key).toString('base64');
    batch.push(canonicalJson(record));
    if (batch.length === 10000) {
      fs.writeSync(fd, batch.join('\n') + '\n');
      batch = [];
    }
  }
  if (batch.length) fs.writeSync(fd, batch.join('\n') + '\n');
  fs.closeSync(fd);
}

async function benchSize(root: string, n: number, identity: Identity): Promise<void> {
  const dir = path.join(root, `ledger-${n}`);
  const witnessDir = path.join(root, `witness-${n}`);
  let t = process.hrtime.bigint();
  writeLog(dir, n, identity);
  const bytes = fs.statSync(path.join(dir, 'records.jsonl')).size;
  console.log(`${n} records (${(bytes / 1e6).toFixed(1)} MB): written in ${ms(t).toFixed(0)} ms`);

  let ledger = new EmbeddedLedger(dir, { witnessDir });
  t = process.hrtime.bigint();
  let state = await ledger.open();
  console.log(`  first open + verify (no witness yet): ${ms(t).toFixed(0)} ms, ${state.health}`);
  await ledger.close();

  ledger = new EmbeddedLedger(dir, { witnessDir });
  t = process.hrtime.bigint();
  state = await ledger.open();
  const rss = process.memoryUsage().rss / 1e6;
  console.log(
    `  open + verify against the witness: ${ms(t).toFixed(0)} ms, ${state.health}, rss ${rss.toFixed(0)} MB`,
  );

  const wanted: string[] = [];
  for (let i = 0; i < LOOKUPS; i++) wanted.push(purlOf(Math.floor((i * 7919) % n)));
  t = process.hrtime.bigint();
  let found = await ledger.lookup(wanted);
  console.log(
    `  lookup of ${LOOKUPS} purls, first (checks signatures and proofs): ${ms(t).toFixed(1)} ms, ${found.size} found`,
  );
  t = process.hrtime.bigint();
  found = await ledger.lookup(wanted);
  console.log(`  lookup of ${LOOKUPS} purls, again: ${ms(t).toFixed(1)} ms, ${found.size} found`);

  await ledger.close();
  ledger = new EmbeddedLedger(dir, { witnessDir });
  t = process.hrtime.bigint();
  state = await ledger.open();
  found = await ledger.lookup(wanted);
  console.log(
    `  reopen + lookup of ${LOOKUPS} purls (signature results kept): ${ms(t).toFixed(0)} ms, ${found.size} found`,
  );

  t = process.hrtime.bigint();
  for (let i = 0; i < APPENDS; i++) {
    await ledger.append(
      signDecision(identity, {
        subject: { purl: `pkg:npm/appended-${i}@1.0.0` },
        status: 'trusted',
      }),
    );
  }
  const perSecond = APPENDS / (ms(t) / 1000);
  console.log(`  ${APPENDS} appends (signed, locked, fsynced): ${perSecond.toFixed(0)} per second`);

  if (n <= 100_000) {
    t = process.hrtime.bigint();
    const report = await ledger.verifyAll();
    console.log(
      `  verifyAll (every line and signature): ${ms(t).toFixed(0)} ms, ${report.valid} valid`,
    );
  }
  await ledger.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-'));
  try {
    const identity = createIdentity('bench', { path: path.join(root, 'identity.json') });
    console.log(
      `node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
    );
    for (const n of sizes.length ? sizes : [1_000, 100_000, 1_000_000])
      await benchSize(root, n, identity);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
