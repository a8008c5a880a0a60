import { Option, type Command } from 'commander';
import { TrustSession } from '../../app/session';
import { resolveTarget } from '../../app/targets';
import { describeRecord } from '../../trust/verdict';
import { ledgerOptions, withLedgerFlags, type LedgerFlags } from '../options';
import { printable, safeJson, table } from '../text';

interface HistoryFlags extends LedgerFlags {
  format: 'text' | 'json';
}

export function register(program: Command): void {
  withLedgerFlags(
    program
      .command('history')
      .description('show every decision recorded for an artifact, oldest first')
      .argument('<target>', 'a purl or a lockfile entry (FILE:LINE)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (target: string, flags: HistoryFlags) => {
    const { subject, dependency } = resolveTarget(target);
    const session = await TrustSession.open(ledgerOptions(flags));
    try {
      const records = await session.history(subject.purl);
      const [evaluation] = dependency ? await session.evaluate([dependency]) : [undefined];
      if (flags.format === 'json') {
        process.stdout.write(safeJson({ purl: subject.purl, verdict: evaluation?.verdict, reason: evaluation?.summary, records }, 2) + '\n');
        return;
      }
      process.stdout.write(`${printable(subject.purl)}\n`);
      if (evaluation) process.stdout.write(`verdict: ${evaluation.verdict}: ${printable(evaluation.summary)}\n`);
      if (records.length === 0) {
        process.stdout.write('no records\n');
        return;
      }
      const rows = [['#', 'TIME', 'ACTOR', 'STATUS', 'CHECKSUM', 'PROOF', 'REASON']];
      for (const r of records) {
        rows.push([
          String(r.index),
          r.record.time,
          printable(r.record.actor.name),
          r.record.status,
          printable(r.record.subject.checksum?.split(' ')[0]?.slice(0, 20) ?? '-'),
          `${r.proof}, signature ${r.signature}`,
          printable(r.record.reason ?? ''),
        ]);
      }
      process.stdout.write(table(rows) + '\n');
      const last = records[records.length - 1];
      process.stdout.write(`latest: ${printable(describeRecord(last))}\n`);
    } finally {
      await session.close();
    }
  });
}
