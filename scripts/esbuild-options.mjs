// The esbuild options every bundle shares: the extension's build (build.mjs) and the parse
// benchmark, which times the parsers as they ship.
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Prefer ES module builds: some packages' UMD builds (jsonc-parser) hide requires from esbuild.
  mainFields: ['module', 'main'],
  // `vscode` is provided by the editor at run time.
  external: ['vscode'],
  define: { DEPTRUST_VERSION: JSON.stringify(version) },
};
