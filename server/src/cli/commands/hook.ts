import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { openRepository, ReviewError } from '../../review/git';
import { installHooks, uninstallHooks } from '../../review/hook';
import { CliError } from '../options';
import { printable } from '../text';

interface InstallFlags {
  allowUnknown?: boolean;
}

/** Git errors become CLI errors with the same code (exit 2). */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ReviewError) throw new CliError(err.code, err.message);
    throw err;
  }
}

/** The script that is running now (bin/deptrust or dist/cli.js), for the hook to call. */
function currentCli(): string {
  const script = process.argv[1];
  if (!script) throw new CliError('HOOK_FAILED', 'cannot tell where the deptrust CLI is installed');
  return fs.realpathSync(path.resolve(script));
}

export function register(program: Command): void {
  const hook = program
    .command('hook')
    .description(
      'manage the git hooks (pre-commit, pre-merge-commit) that run `deptrust review --staged`',
    );
  hook
    .command('install')
    .description(
      'install the hooks (honours core.hooksPath; an existing hook is kept and runs first)',
    )
    .option('--allow-unknown', 'let dependencies without any decision pass')
    .action((flags: InstallFlags) => {
      const results = guarded(() =>
        installHooks(openRepository(process.cwd()), {
          node: process.execPath,
          cli: currentCli(),
          args: flags.allowUnknown ? ['--allow-unknown'] : [],
        }),
      );
      for (const result of results) {
        const verb = result.changed ? 'installed' : 'already installed';
        const chained = result.chained
          ? `; the existing hook runs first (${printable(result.chained)})`
          : '';
        process.stdout.write(
          `deptrust ${result.name} hook ${verb}: ${printable(result.hook)}${chained}\n`,
        );
      }
    });
  hook
    .command('uninstall')
    .description('remove the hooks and restore the hooks they chained')
    .action(() => {
      const results = guarded(() => uninstallHooks(openRepository(process.cwd())));
      for (const result of results) {
        const restored = result.chained ? '; restored the previous hook' : '';
        process.stdout.write(
          `deptrust ${result.name} hook ${result.changed ? 'removed' : 'was not installed'}: ${printable(result.hook)}${restored}\n`,
        );
      }
    });
}
