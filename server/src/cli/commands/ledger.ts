import * as fs from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { lineBytes, parseRecordLine } from '../../ledger/canonical';
import { LOG_FILE } from '../../ledger/embedded';
import type { ImmudbLedger } from '../../ledger/immudb';
import type { Ledger } from '../../ledger/ledger';
import { createLedger, type LedgerOptions } from '../../ledger/open';
import type { StoredRecord, TrustRecord } from '../../ledger/record';
import { CliError, withLedgerFlags, type LedgerFlags } from '../options';
import { printable } from '../text';

type Kind = 'embedded' | 'immudb';

interface CopyFlags extends LedgerFlags {
  from: Kind;
  to: Kind;
  dryRun?: boolean;
}

function options(kind: Kind, flags: CopyFlags): LedgerOptions {
  if (kind === 'embedded') return { kind, dir: flags.ledger ?? null };
  if (!flags.immudb) {
    throw new CliError(
      'IMMUDB_CONFIG',
      'copying to or from immudb needs --immudb <host:port> (or DEPTRUST_IMMUDB_ADDRESS)',
    );
  }
  const password = process.env.DEPTRUST_IMMUDB_PASSWORD;
  if (!password) {
    throw new CliError('IMMUDB_CONFIG', 'set DEPTRUST_IMMUDB_PASSWORD to the immudb password');
  }
  return {
    kind,
    address: flags.immudb,
    database: flags.immudbDatabase ?? 'defaultdb',
    user: flags.immudbUser ?? 'immudb',
    password,
  };
}

/** Every record a ledger holds, in log order, as its reader verified it. */
async function allRecords(ledger: Ledger): Promise<StoredRecord[]> {
  if (ledger.kind === 'immudb') return (ledger as ImmudbLedger).all();
  // The embedded ledger answers by purl: list the purls its log names, then read them through
  // the ledger itself so that only what it verified is copied.
  const purls = new Set<string>();
  const log = fs.readFileSync(path.join(ledger.location, LOG_FILE), 'utf8');
  for (const line of log.split('\n')) {
    if (!line) continue;
    const parsed = parseRecordLine(line);
    if ('record' in parsed) purls.add(parsed.record.subject.purl);
  }
  const found = await ledger.lookup(purls);
  return [...found.values()].flat().sort((a, b) => a.index - b.index);
}

async function append(target: Ledger, records: TrustRecord[]): Promise<void> {
  if (target.kind === 'immudb') {
    await (target as ImmudbLedger).appendAll(records);
    return;
  }
  for (const r of records) await target.append(r);
}

/**
 * `deptrust ledger copy`: moves records between ledgers with their signatures intact. Records
 * the target already holds (same canonical bytes) are skipped, so a copy can be repeated.
 */
async function copy(flags: CopyFlags): Promise<void> {
  if (flags.from === flags.to)
    throw new CliError('USAGE', '--from and --to name the same kind of ledger');
  const source = createLedger(options(flags.from, flags));
  const target = createLedger(options(flags.to, flags));
  try {
    const sourceState = await source.open();
    if (sourceState.health !== 'ok') {
      throw new CliError(
        'LEDGER_NOT_VERIFIED',
        `the ${flags.from} ledger is ${sourceState.health}: ${sourceState.message}`,
      );
    }
    const targetState = await target.open();
    if (targetState.health !== 'ok') {
      throw new CliError(
        'LEDGER_NOT_VERIFIED',
        `the ${flags.to} ledger is ${targetState.health}: ${targetState.message}`,
      );
    }

    const records = await allRecords(source);
    const present = new Set(
      (await allRecords(target)).map((r) => lineBytes(r.record).toString('utf8')),
    );
    const invalid = records.filter((r) => r.signature === 'invalid' || r.proof === 'failed');
    const missing: TrustRecord[] = [];
    for (const r of records) {
      if (r.signature === 'invalid' || r.proof === 'failed') continue;
      const bytes = lineBytes(r.record).toString('utf8');
      if (present.has(bytes)) continue;
      present.add(bytes);
      missing.push(r.record);
    }

    if (!flags.dryRun) await append(target, missing);
    const verb = flags.dryRun ? 'would copy' : 'copied';
    process.stdout.write(
      `${verb} ${missing.length} of ${records.length} records from ${flags.from} ${printable(source.location)} ` +
        `to ${flags.to} ${printable(target.location)}; ${records.length - missing.length - invalid.length} already there\n`,
    );
    if (invalid.length > 0) {
      process.stderr.write(
        `deptrust: left out ${invalid.length} records whose signature or proof fails: ` +
          `${invalid.map((r) => r.index).join(', ')}\n`,
      );
    }
  } finally {
    await source.close();
    await target.close();
  }
}

export function register(program: Command): void {
  const ledger = program.command('ledger').description('work with whole ledgers');
  withLedgerFlags(
    ledger
      .command('copy')
      .description(
        'copy every record from one ledger to another, signatures intact; skips records already there',
      )
      .addOption(
        new Option('--from <kind>', 'ledger to read')
          .choices(['embedded', 'immudb'])
          .makeOptionMandatory(),
      )
      .addOption(
        new Option('--to <kind>', 'ledger to write')
          .choices(['embedded', 'immudb'])
          .makeOptionMandatory(),
      )
      .option('--dry-run', 'only count what would be copied'),
  ).action(async (flags: CopyFlags) => {
    await copy(flags);
  });
}
