import type { Command } from 'commander';
import { TrustSession } from '../../app/session';
import { resolveTarget } from '../../app/targets';
import type { TrustStatus } from '../../core/types';
import { ledgerOptions, withLedgerFlags, type LedgerFlags } from '../options';
import { printable } from '../text';

interface DecideFlags extends LedgerFlags {
  reason?: string;
}

const VERBS: Array<{ name: string; alias?: string; status: TrustStatus; description: string; past: string }> = [
  { name: 'notarize', alias: 'trust', status: 'trusted', description: 'record that an artifact is trusted', past: 'trusted' },
  { name: 'revoke', alias: 'distrust', status: 'untrusted', description: 'record that an artifact is not trusted', past: 'distrusted' },
  { name: 'unsupport', status: 'unsupported', description: 'record that an artifact is no longer supported', past: 'marked unsupported' },
];

export function register(program: Command): void {
  for (const verb of VERBS) {
    const cmd = program
      .command(verb.name)
      .description(verb.description)
      .argument('<targets...>', 'purls (pkg:npm/lodash@4.17.21) or lockfile entries (FILE:LINE)')
      .option('--reason <text>', 'why, for whoever reads the history');
    if (verb.alias) cmd.alias(verb.alias);
    withLedgerFlags(cmd).action(async (targets: string[], flags: DecideFlags) => {
      // Every target is resolved before anything is written: one bad target writes nothing.
      const cache = new Map();
      const subjects = targets.map((t) => resolveTarget(t, cache).subject);
      const session = await TrustSession.open(ledgerOptions(flags));
      try {
        for (const subject of subjects) {
          const appended = await session.decide({ subject, status: verb.status, reason: flags.reason });
          const checksum = subject.checksum ? ` (${subject.checksum.split(' ')[0]})` : '';
          process.stdout.write(`${printable(subject.purl)}${printable(checksum)} ${verb.past} by ${printable(session.actor)}: record ${appended.index} in ${session.ledger.kind} ledger ${session.ledger.location}\n`);
        }
      } finally {
        await session.close();
      }
    });
  }
}
