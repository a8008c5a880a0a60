import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataHome } from './paths';

/**
 * What the immudb ledger keeps on this machine per server and database, outside any working
 * copy: the last transaction it verified (id and Alh), the records read up to it, and a
 * rollback or fork it detected, which stays until the file is removed by hand.
 */
export interface ImmudbSnapshot {
  v: 1;
  address: string;
  database: string;
  txId: number;
  /** Alh of `txId`, hex. */
  alh: string;
  /** When the chain up to `txId` was last checked against the server, ms since the epoch. */
  verifiedAt: number;
  /** Set once a check failed; the ledger reports `compromised` until the file is removed. */
  compromised?: string;
  /** Every record entry read, in transaction order: its transaction, key and value text. */
  entries: SnapshotEntry[];
}

export interface SnapshotEntry {
  tx: number;
  key: string;
  value: string;
}

/** Where the snapshot of one server and database lives: `<dataHome>/immudb/<address>/<db>.json`. */
export function snapshotPath(address: string, database: string, dir?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(dir ?? path.join(dataHome(), 'immudb'), safe(address), `${safe(database)}.json`);
}

/** Reads a snapshot; absent or unreadable files yield undefined (a first use). */
export function readSnapshot(file: string): ImmudbSnapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as ImmudbSnapshot;
  if (parsed.v !== 1 || typeof parsed.txId !== 'number' || typeof parsed.alh !== 'string') {
    throw new Error(`${file}: not an immudb ledger snapshot of this deptrust version`);
  }
  return parsed;
}

/** Replaces the snapshot atomically, so a crash leaves the old or the new one. */
export function writeSnapshot(file: string, snapshot: ImmudbSnapshot): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(snapshot));
  fs.renameSync(tmp, file);
}
