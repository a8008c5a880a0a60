import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataHome } from './paths';

/**
 * A tree head this user has verified for one ledger folder. It is kept outside that folder, in
 * the user's own data folder, so that whoever can rewrite the ledger cannot also rewrite what
 * its readers saw: every later head must extend it (RFC 9162 section 2.1.4 consistency).
 */
export interface Witness {
  /** The ledger folder's real path, for people reading the file. */
  ledger: string;
  size: number;
  /** Hex of the Merkle root at `size`. */
  root: string;
  /** When this head was verified, RFC 3339. */
  time: string;
}

/** The folder witnesses are kept in: `witness/` in `dataHome()`. */
export function defaultWitnessDir(): string {
  return path.join(dataHome(), 'witness');
}

/** One witness file per ledger folder, named after the SHA-256 of the folder's real path. */
export function witnessFile(witnessDir: string, realLedgerDir: string): string {
  const id = createHash('sha256').update(realLedgerDir).digest('hex').slice(0, 32);
  return path.join(witnessDir, `${id}.json`);
}

export type WitnessRead = { witness: Witness | undefined } | { problem: string };

/** Reads a witness; a file that exists but does not parse is a problem, never "no witness". */
export function readWitness(file: string): WitnessRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { witness: undefined };
    return { problem: `cannot read the witness ${file}: ${(e as Error).message}` };
  }
  try {
    const w = JSON.parse(text) as Partial<Witness>;
    if (
      Number.isSafeInteger(w.size) &&
      (w.size as number) >= 0 &&
      typeof w.root === 'string' &&
      /^[0-9a-f]{64}$/.test(w.root) &&
      typeof w.ledger === 'string' &&
      typeof w.time === 'string'
    ) {
      return { witness: w as Witness };
    }
  } catch {
    // reported below
  }
  return { problem: `the witness ${file} is damaged; it no longer says which tree head was seen` };
}

/**
 * Records a newly verified head unless the file already holds a larger one (another process of
 * this user may have verified more). Written to a temporary file and renamed, so a reader sees
 * the old or the new witness, never half of one.
 */
export function writeWitness(file: string, witness: Witness): void {
  const current = readWitness(file);
  if ('witness' in current && current.witness && current.witness.size > witness.size) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(witness, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}
