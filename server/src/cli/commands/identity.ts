import type { Command } from 'commander';
import { createIdentity, loadIdentity } from '../../identity/identity';
import { CliError } from '../options';
import { printable } from '../text';

interface IdentityFlags {
  file?: string;
}

/**
 * `deptrust identity create --name NAME` makes this user's Ed25519 key pair (a file only the
 * user can read); `deptrust identity show` prints the name and public key to put in a policy.
 */
export function register(program: Command): void {
  const identity = program
    .command('identity')
    .description("this user's signing identity (an Ed25519 key pair)");

  identity
    .command('create')
    .description('create a key pair for signing decisions')
    .requiredOption('--name <name>', 'the actor name shown with your decisions')
    .option(
      '--file <path>',
      'identity file (default: $DEPTRUST_IDENTITY or identity.json in the data folder)',
    )
    .option(
      '--force',
      'replace an existing identity (records it signed stay attributed to its key)',
    )
    .action((flags: IdentityFlags & { name: string; force?: boolean }) => {
      const created = createIdentity(flags.name, { path: flags.file, force: flags.force });
      process.stdout.write(
        `created ${printable(created.path)}\nname: ${printable(created.name)}\nkey: ${created.publicKey}\n`,
      );
    });

  identity
    .command('show')
    .description("print the name and public key of this user's identity")
    .option('--file <path>', 'identity file')
    .action((flags: IdentityFlags) => {
      const found = loadIdentity({ path: flags.file });
      if (!found)
        throw new CliError(
          'NO_IDENTITY',
          'no identity yet; create one with `deptrust identity create --name NAME`',
        );
      process.stdout.write(
        `name: ${printable(found.name)}\nkey: ${found.publicKey}\nfile: ${printable(found.path)}\n`,
      );
    });
}
