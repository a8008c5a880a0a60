import { Option, type Command } from 'commander';
import { EmbeddedLedger } from '../../ledger/embedded';
import { createLedger } from '../../ledger/open';
import { EXIT, ledgerOptions, withLedgerFlags, type LedgerFlags } from '../options';
import { printable } from '../text';

interface VerifyFlags extends LedgerFlags {
  format: 'text' | 'json';
}

/**
 * `deptrust verify`: checks the whole ledger (every line against the Merkle tree, the tree
 * against this user's witness, every signature) and prints its size, root and the result.
 * Exit 0 when it verifies, 2 when it is compromised or cannot be read.
 */
export function register(program: Command): void {
  withLedgerFlags(
    program
      .command('verify')
      .description('check the whole ledger: tree head, witness, every record and signature')
      .addOption(
        new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
      ),
  ).action(async (flags: VerifyFlags) => {
    const ledger = createLedger(ledgerOptions(flags));
    try {
      await ledger.open();
      const report =
        ledger instanceof EmbeddedLedger
          ? await ledger.verifyAll()
          : { state: ledger.state(), valid: undefined, unsigned: undefined, invalid: undefined };
      const state = report.state;
      const witness = ledger instanceof EmbeddedLedger ? ledger.witnessLocation : undefined;
      if (flags.format === 'json') {
        process.stdout.write(
          JSON.stringify(
            { ledger: `${ledger.kind} ${ledger.location}`, witness, ...report },
            null,
            2,
          ) + '\n',
        );
      } else {
        const out: string[] = [
          `ledger: ${ledger.kind} ${printable(ledger.location)}`,
          `size: ${state.size} records`,
          `root: ${state.root || '(none)'}`,
        ];
        if (witness) out.push(`witness: ${printable(witness)}`);
        if (report.valid !== undefined) {
          const invalid = report.invalid ?? [];
          const which = invalid.length
            ? ` (records ${invalid.slice(0, 20).join(', ')}${invalid.length > 20 ? ', ...' : ''})`
            : '';
          out.push(
            `signatures: ${report.valid} valid, ${report.unsigned} unsigned, ${invalid.length} invalid${which}`,
          );
        }
        out.push(`result: ${state.health}: ${printable(state.message)}`);
        process.stdout.write(out.join('\n') + '\n');
      }
      process.exitCode = state.health === 'ok' ? EXIT.ok : EXIT.error;
    } finally {
      await ledger.close();
    }
  });
}
