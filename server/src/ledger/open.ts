import { EmbeddedLedger } from './embedded';
import type { Ledger } from './ledger';
import { embeddedLedgerDir } from './paths';

/** Which ledger to use and how to reach it; from settings, flags and the environment. */
export interface LedgerOptions {
  kind: 'embedded' | 'immudb';
  /** Embedded: the folder (default: see `embeddedLedgerDir`). */
  dir?: string | null;
  /** immudb: `host:port`, database, user and password. */
  address?: string;
  database?: string;
  user?: string;
  password?: string;
}

/** Creates (does not open) the ledger the options name. */
export function createLedger(options: LedgerOptions): Ledger {
  switch (options.kind) {
    case 'embedded':
      return new EmbeddedLedger(embeddedLedgerDir(options.dir));
    case 'immudb':
      throw new Error('the immudb ledger is not available in this build');
  }
}
