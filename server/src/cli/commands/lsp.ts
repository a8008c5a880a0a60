import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('lsp')
    .description('run the language server on stdin/stdout, for any LSP editor')
    .option('--stdio', 'communicate over stdin/stdout (the default)')
    .allowUnknownOption()
    .action(() => {
      // The connection reads argv for its transport; stdio unless told otherwise.
      if (!process.argv.some((a) => a === '--stdio' || a.startsWith('--node-ipc') || a.startsWith('--socket') || a.startsWith('--pipe'))) {
        process.argv.push('--stdio');
      }
      // The server is a bundle of its own (scripts/build.mjs), loaded only for this command;
      // loading it starts it.
      require('../../lsp/main');
      return new Promise<void>(() => undefined);
    });
}
