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
    case 'immudb': {
      // Loaded only here, and a bundle of its own (scripts/build.mjs): the gRPC client is most
      // of the code, and every command that does not use immudb would pay to load it.
      const { ImmudbLedger, ImmudbError } = require('./immudb') as typeof import('./immudb');
      // The password comes from the caller (SecretStorage, DEPTRUST_IMMUDB_PASSWORD, a prompt);
      // open() rejects with IMMUDB_CONFIG when it is missing.
      if (!options.address) {
        throw new ImmudbError('IMMUDB_CONFIG', 'no immudb address: set it as host:port');
      }
      return new ImmudbLedger({
        address: options.address,
        database: options.database || 'defaultdb',
        user: options.user || 'immudb',
        password: options.password ?? '',
        // Pins the server's state-signing key (PEM file) for servers run with --signingKey.
        serverKeyFile: process.env.DEPTRUST_IMMUDB_SERVER_KEY || undefined,
      });
    }
  }
}
