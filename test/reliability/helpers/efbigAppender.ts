// Appends records until an append fails, with SIGXFSZ handled so that a write past the file
// size limit returns EFBIG instead of killing the process (Node resets an inherited SIG_IGN):
//   node --import tsx efbigAppender.ts LEDGER_DIR WITNESS_DIR IDENTITY_FILE TAG
// Prints `ok <index> <tag>-<n>` after each append returns, then `failed <message>` and exits 1.
import { EmbeddedLedger } from '../../../server/src/ledger/embedded';
import { loadIdentity, signDecision } from '../../../server/src/identity/identity';

process.on('SIGXFSZ', () => undefined);

async function main(): Promise<void> {
  const [ledgerDir, witnessDir, identityFile, tag] = process.argv.slice(2);
  const identity = loadIdentity({ path: identityFile });
  if (!identity) throw new Error(`no identity at ${identityFile}`);
  const ledger = new EmbeddedLedger(ledgerDir, { witnessDir });
  await ledger.open();
  for (let n = 0; n < 10_000; n++) {
    const id = `${tag}-${n}`;
    const record = signDecision(identity, {
      subject: { purl: `pkg:npm/${id}@1.0.0` },
      status: 'trusted',
      reason: id,
    });
    const result = await ledger.append(record);
    process.stdout.write(`ok ${result.index} ${id}\n`);
  }
}

main().catch((e: Error) => {
  process.stderr.write(
    `appender failed: ${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}\n`,
  );
  process.exit(1);
});
