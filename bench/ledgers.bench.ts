// The ledgers. Embedded: bench/ledger.bench.ts (the ledger's own benchmark) runs as a child
// process and its lines are read back into rows, one run per size. immudb: a real server
// (test/helpers/immudb.ts), verified single writes, a batch write, a fresh client's open
// (scan and hash-chain check of every transaction) and a lookup of 3,000 purls.
import { spawn } from 'node:child_process';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateIdentity } from '../server/src/app/keys';
import { signingBytes } from '../server/src/ledger/canonical';
import { ImmudbLedger } from '../server/src/ledger/immudb';
import type { TrustRecord } from '../server/src/ledger/record';
import { parsePublicKey } from '../server/src/ledger/signature';
import { ADMIN_PASSWORD, ADMIN_USER, ImmudbServer } from '../test/helpers/immudb';
import { REPO } from './inputs';
import { now, summarize } from './measure';
import type { Row } from './report';

export interface EmbeddedFigure {
  records: number;
  /** The figure's label as the ledger benchmark prints it. */
  what: string;
  value: number;
  unit: 'ms' | 'per s';
}

const SIZE_LINE = /^(\d+) records \(([\d.]+) MB\): written in (\d+) ms/;
const FIGURE_LINE = /^\s+(.+?): ([\d.]+) (ms|per second)\b(.*)$/;

/** Reads bench/ledger.bench.ts's output; lines it cannot read are returned as they are. */
export function parseLedgerOutput(out: string): { figures: EmbeddedFigure[]; unread: string[] } {
  const figures: EmbeddedFigure[] = [];
  const unread: string[] = [];
  let records = 0;
  for (const line of out.split('\n')) {
    const size = SIZE_LINE.exec(line);
    if (size) {
      records = Number(size[1]);
      figures.push({
        records,
        what: `write ${size[2]} MB log (setup)`,
        value: Number(size[3]),
        unit: 'ms',
      });
      continue;
    }
    const fig = FIGURE_LINE.exec(line);
    if (fig && records) {
      const what = fig[1].replace(/^\d+ appends/, 'appends');
      figures.push({
        records,
        what,
        value: Number(fig[2]),
        unit: fig[3] === 'ms' ? 'ms' : 'per s',
      });
    } else if (line.trim() && !line.startsWith('node ')) unread.push(line);
  }
  return { figures, unread };
}

/** Runs the embedded ledger's benchmark for `sizes` and reads its figures. */
export function benchEmbedded(
  sizes: number[],
): Promise<{ figures: EmbeddedFigure[]; unread: string[] }> {
  const script = path.join(REPO, 'bench', 'ledger.bench.ts');
  if (!fs.existsSync(script)) {
    return Promise.resolve({
      figures: [],
      unread: [`${script} is missing: no embedded ledger figures`],
    });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...sizes.map(String)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stderr.write(`  ledger: ${String(d).trimEnd()}\n`);
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const parsed = parseLedgerOutput(out);
      if (code !== 0) parsed.unread.push(`ledger.bench.ts exited with ${code}: ${err.slice(-500)}`);
      resolve(parsed);
    });
  });
}

export function embeddedRows(figures: EmbeddedFigure[]): Row[] {
  return figures.map((f) => ({
    group: 'ledger (embedded)',
    what: f.what,
    input: `${f.records.toLocaleString('en')} records`,
    ...(f.unit === 'ms'
      ? { stats: { median: f.value, min: f.value, max: f.value, runs: 1 }, unit: 'ms' as const }
      : { value: f.value, unit: 'per s' as const }),
  }));
}

// ---- immudb ----

function signer(): { key: KeyObject; publicKey: string } {
  const identity = generateIdentity('bench');
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
  return { key, publicKey: identity.publicKey };
}

function purlOf(i: number): string {
  return `pkg:npm/bench-package-${i}@1.${i % 100}.${i % 7}`;
}

function signedRecord(i: number, s: { key: KeyObject; publicKey: string }): TrustRecord {
  const record: TrustRecord = {
    v: 1,
    subject: {
      purl: purlOf(i),
      checksum: `sha512-${Buffer.alloc(64, i % 251).toString('base64')}`,
    },
    status: i % 10 === 0 ? 'untrusted' : 'trusted',
    actor: { name: 'bench', key: s.publicKey },
    time: '2026-12-01T10:00:00Z',
    reason: `benchmark record ${i}`,
  };
  record.sig = sign(null, signingBytes(record), s.key).toString('base64');
  return record;
}

export const IMMUDB_SINGLE_WRITES = 200;
export const IMMUDB_RECORDS = 3000;
export const LOOKUPS = 3000;

/**
 * Against a fresh server: single verified writes, then a batch up to IMMUDB_RECORDS records,
 * then a second client with no kept state opens (verifying the whole chain) and looks up
 * LOOKUPS purls, two thirds of which have records.
 */
export async function benchImmudb(): Promise<Row[]> {
  const server = await ImmudbServer.start();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-immudb-'));
  const ledgers: ImmudbLedger[] = [];
  const ledger = (name: string): ImmudbLedger => {
    const l = new ImmudbLedger({
      address: server.address,
      database: 'defaultdb',
      user: ADMIN_USER,
      password: ADMIN_PASSWORD,
      stateDir: path.join(home, name),
      pollMs: 3_600_000,
    });
    ledgers.push(l);
    return l;
  };
  const rows: Row[] = [];
  const input = `immudb ${server.address}`;
  try {
    const s = signer();
    const writer = ledger('writer');
    let t = now();
    await writer.open();
    rows.push({
      group: 'ledger (immudb)',
      what: 'open (empty database)',
      input,
      stats: summarize([now() - t]),
      unit: 'ms',
    });

    const single: number[] = [];
    for (let i = 0; i < IMMUDB_SINGLE_WRITES; i++) {
      const record = signedRecord(i, s);
      t = now();
      await writer.append(record);
      single.push(now() - t);
    }
    const perWrite = summarize(single);
    rows.push({
      group: 'ledger (immudb)',
      what: 'verified write (append)',
      input,
      stats: perWrite,
      unit: 'ms',
    });
    rows.push({
      group: 'ledger (immudb)',
      what: 'verified writes, sequential',
      input,
      value: 1000 / perWrite.median,
      unit: 'per s',
    });

    const rest: TrustRecord[] = [];
    for (let i = IMMUDB_SINGLE_WRITES; i < IMMUDB_RECORDS; i++) rest.push(signedRecord(i, s));
    t = now();
    await writer.appendAll(rest);
    const batch = now() - t;
    rows.push({
      group: 'ledger (immudb)',
      what: `appendAll ${rest.length} records (batches of 500)`,
      input,
      stats: summarize([batch]),
      unit: 'ms',
      note: `${((rest.length / batch) * 1000).toFixed(0)} records per s`,
    });

    const reader = ledger('reader');
    t = now();
    const state = await reader.open();
    rows.push({
      group: 'ledger (immudb)',
      what: `fresh client open + verify ${IMMUDB_RECORDS} records`,
      input,
      stats: summarize([now() - t]),
      unit: 'ms',
      note: state.health,
    });

    const wanted: string[] = [];
    for (let i = 0; i < LOOKUPS; i++) wanted.push(purlOf(i % 3 === 2 ? i + 1_000_000 : i));
    t = now();
    let found = await reader.lookup(wanted);
    const first = now() - t;
    rows.push({
      group: 'ledger (immudb)',
      what: `lookup ${LOOKUPS} purls, first (checks signatures)`,
      input,
      stats: summarize([first]),
      unit: 'ms',
      note: `${found.size} found`,
    });
    const again: number[] = [];
    for (let k = 0; k < 5; k++) {
      t = now();
      found = await reader.lookup(wanted);
      again.push(now() - t);
    }
    rows.push({
      group: 'ledger (immudb)',
      what: `lookup ${LOOKUPS} purls, again`,
      input,
      stats: summarize(again),
      unit: 'ms',
    });
    return rows;
  } finally {
    for (const l of ledgers) await l.close().catch(() => undefined);
    await server.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
