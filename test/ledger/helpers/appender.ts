// A separate process appending records, for the concurrency and crash tests:
//   node --import tsx appender.ts LEDGER_DIR WITNESS_DIR IDENTITY_FILE TAG COUNT
// COUNT 0 appends until killed. After each append returns it prints `ok <index> <tag>-<n>`, so
// the parent knows which appends completed.
import { EmbeddedLedger } from '../../../server/src/ledger/embedded';
import { loadIdentity, signDecision } from '../../../server/src/identity/identity';

// With IGNORE_SIGXFSZ=1 a write beyond `ulimit -f` fails with EFBIG instead of killing the process.
if (process.env.IGNORE_SIGXFSZ === '1') process.on('SIGXFSZ', () => undefined);

async function main(): Promise<void> {
  const [ledgerDir, witnessDir, identityFile, tag, countText] = process.argv.slice(2);
  const identity = loadIdentity({ path: identityFile });
  if (!identity) throw new Error(`no identity at ${identityFile}`);
  const ledger = new EmbeddedLedger(ledgerDir, { witnessDir });
  const state = await ledger.open();
  if (state.health !== 'ok') throw new Error(`ledger not ok: ${state.message}`);
  const count = Number(countText);
  for (let n = 0; count === 0 || n < count; n++) {
    const id = `${tag}-${n}`;
    const record = signDecision(identity, {
      subject: { purl: `pkg:npm/${id}@1.0.0` },
      status: 'trusted',
      reason: id,
    });
    const result = await ledger.append(record);
    process.stdout.write(`ok ${result.index} ${id}\n`);
  }
  await ledger.close();
}

main().catch((e: Error) => {
  process.stderr.write(`appender failed: ${e.message}\n`);
  process.exit(1);
});
