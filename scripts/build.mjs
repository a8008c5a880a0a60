// Bundles the extension client, the language server and the CLI with esbuild.
import * as esbuild from 'esbuild';
import { common } from './esbuild-options.mjs';

/**
 * The immudb backend (mostly the gRPC client) and the language server are bundles of their own,
 * loaded by the CLI only when a command needs them, so that `deptrust check` starts fast. Their
 * imports in the source are rewritten to the bundle files beside the importer in dist/.
 */
const onDemand = {
  name: 'on-demand-bundles',
  setup(build) {
    const map = { './immudb': './immudb.js', '../../lsp/main': './server.js' };
    build.onResolve({ filter: /^(\.\/immudb|\.\.\/\.\.\/lsp\/main)$/ }, (args) => {
      if (args.importer.endsWith('ledger/open.ts') || args.importer.endsWith('cli/commands/lsp.ts')) {
        return { path: map[args.path], external: true };
      }
      return undefined;
    });
  },
};

const watch = process.argv.includes('--watch');

const builds = [
  { entryPoints: { client: 'client/src/extension.ts' } },
  {
    entryPoints: { server: 'server/src/lsp/main.ts', cli: 'server/src/cli/main.ts', immudb: 'server/src/ledger/immudb.ts' },
    plugins: [onDemand],
  },
];

for (const b of builds) {
  const options = { ...common, ...b, outdir: 'dist' };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
