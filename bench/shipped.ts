// The parsers as they ship: bundled by esbuild with the options of the extension's own build
// (scripts/esbuild-options.mjs), not the TypeScript sources as tsx runs them. tsx compiles
// each file on its own and wraps functions for their names, which adds calls a bundle lacks.
import * as path from 'node:path';
import type { decodeLockfile } from '../server/src/app/lockfiles';
import type { parseLockfile } from '../server/src/parsers/index';
import { REPO } from './inputs';

export interface ShippedParsers {
  decodeLockfile: typeof decodeLockfile;
  parseLockfile: typeof parseLockfile;
}

let loaded: Promise<ShippedParsers> | undefined;

/** Builds `.cache/bench/parsers.js` from bench/shipped-entry.ts once per run, and loads it. */
export function shippedParsers(): Promise<ShippedParsers> {
  loaded ??= (async () => {
    const esbuild = await import('esbuild');
    const { common } = (await import(path.join(REPO, 'scripts', 'esbuild-options.mjs'))) as {
      common: Record<string, unknown>;
    };
    const outfile = path.join(REPO, '.cache', 'bench', 'parsers.js');
    await esbuild.build({
      ...common,
      sourcemap: false,
      entryPoints: [path.join(REPO, 'bench', 'shipped-entry.ts')],
      outfile,
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(outfile) as ShippedParsers;
  })();
  return loaded;
}
