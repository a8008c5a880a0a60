import { Command, CommanderError } from 'commander';
import { LockfileError } from '../app/lockfiles';
import { TargetError } from '../app/targets';
import * as check from './commands/check';
import * as decide from './commands/decide';
import * as history from './commands/history';
import * as hook from './commands/hook';
import * as identity from './commands/identity';
import * as ledger from './commands/ledger';
import * as lsp from './commands/lsp';
import * as review from './commands/review';
import * as verify from './commands/verify';
import { CliError, EXIT } from './options';
import { printable } from './text';

declare const DEPTRUST_VERSION: string | undefined;

/** Every command, each in a module of its own with a `register(program)`. */
const COMMANDS: Array<{ register(program: Command): void }> = [
  check,
  review,
  decide,
  history,
  verify,
  identity,
  ledger,
  hook,
  lsp,
];

export function buildProgram(): Command {
  const program = new Command('deptrust')
    .description('trust verdicts for every pinned dependency, from a signed, tamper-evident ledger')
    .version(typeof DEPTRUST_VERSION === 'string' ? DEPTRUST_VERSION : 'dev')
    .showHelpAfterError()
    .exitOverride();
  for (const c of COMMANDS) c.register(program);
  return program;
}

/** Errors a user can act on, with the code scripts branch on. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has printed the message or the help already.
    return err.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  if (err instanceof CliError || err instanceof LockfileError || err instanceof TargetError) {
    process.stderr.write(`deptrust: ${printable(err.message)} [${err.code}]\n`);
    return EXIT.error;
  }
  const code = (err as { code?: unknown })?.code;
  process.stderr.write(`deptrust: ${printable(err instanceof Error ? err.message : String(err))}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
  if (process.env.DEPTRUST_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.error;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return report(err);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.exitCode = report(err);
    },
  );
}
