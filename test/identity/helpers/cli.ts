// The verify and identity commands on a program of their own, as the CLI's main wires them:
//   node --import tsx cli.ts identity show
import { Command } from 'commander';
import * as identity from '../../../server/src/cli/commands/identity';
import * as verify from '../../../server/src/cli/commands/verify';

const program = new Command('deptrust').exitOverride();
identity.register(program);
verify.register(program);
program
  .parseAsync(process.argv.slice(2), { from: 'user' })
  .catch((err: Error & { code?: string }) => {
    process.stderr.write(`deptrust: ${err.message} [${err.code ?? 'ERROR'}]\n`);
    process.exitCode = 2;
  });
