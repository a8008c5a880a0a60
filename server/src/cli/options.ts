import { Option, type Command } from 'commander';
import type { LedgerOptions } from '../ledger/open';

/** Exit codes every command shares. */
export const EXIT = {
  ok: 0,
  /** A dependency failed the check: untrusted, mismatched, or unknown under `--fail-on unknown`. */
  failed: 1,
  /** Bad input, a ledger that cannot be read or verified, a broken policy, a usage error. */
  error: 2,
} as const;

/** A failure the CLI reports on stderr and ends with exit code 2. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LedgerFlags {
  ledger?: string;
  immudb?: string;
  immudbDatabase?: string;
  immudbUser?: string;
}

/** Adds the flags that choose a ledger; every command that reads or writes records has them. */
export function withLedgerFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--ledger <dir>', 'embedded ledger folder (default: $DEPTRUST_LEDGER or the per-user data folder)'))
    .addOption(new Option('--immudb <host:port>', 'use the immudb ledger at this address').env('DEPTRUST_IMMUDB_ADDRESS'))
    .addOption(new Option('--immudb-database <name>', 'immudb database').env('DEPTRUST_IMMUDB_DATABASE').default('defaultdb'))
    .addOption(new Option('--immudb-user <name>', 'immudb user').env('DEPTRUST_IMMUDB_USER').default('immudb'));
}

/** The ledger the flags choose; the immudb password only ever comes from the environment. */
export function ledgerOptions(flags: LedgerFlags): LedgerOptions {
  if (flags.immudb) {
    return {
      kind: 'immudb',
      address: flags.immudb,
      database: flags.immudbDatabase ?? 'defaultdb',
      user: flags.immudbUser ?? 'immudb',
      password: process.env.DEPTRUST_IMMUDB_PASSWORD,
    };
  }
  return { kind: 'embedded', dir: flags.ledger ?? null };
}
