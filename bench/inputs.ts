// Where the benchmark inputs live: the real large files in ../shared/bench (read in place,
// never copied into the repository) and the generated ones in .cache/bench/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LockfileFormat } from '../server/src/core/types';

export const REPO = path.resolve(__dirname, '..');
export const SHARED_BENCH = path.resolve(REPO, '..', 'shared', 'bench');
export const CACHE_DIR = path.join(REPO, '.cache', 'bench');

/** Absolute path of a file under ../shared/bench; throws a message naming it when absent. */
export function requireShared(relative: string): string {
  const file = path.join(SHARED_BENCH, relative);
  if (!fs.existsSync(file)) {
    throw new Error(
      `benchmark input ${file} is missing: the benchmarks read the shared data folder ` +
        `../shared/bench next to the repository (see its MANIFEST.md)`,
    );
  }
  return file;
}

export interface BenchInput {
  /** Short label for the table, e.g. `npm vscode-js-debug` or `go.sum 50k`. */
  label: string;
  format: LockfileFormat;
  file: string;
  /** `real`: written by the package manager (shared); `synthetic`: bench/generate.ts. */
  origin: 'real' | 'synthetic';
}

export const REAL_INPUTS: ReadonlyArray<Omit<BenchInput, 'file'> & { relative: string }> = [
  {
    label: 'npm biglock (v3)',
    format: 'package-lock',
    relative: 'npm/package-lock.json',
    origin: 'real',
  },
  {
    label: 'npm vscode-js-debug (v2)',
    format: 'package-lock',
    relative: 'npm/vscode-js-debug.package-lock.json',
    origin: 'real',
  },
  {
    label: 'go.sum kubernetes',
    format: 'go-sum',
    relative: 'go/kubernetes.go.sum',
    origin: 'real',
  },
  { label: 'go.sum terraform', format: 'go-sum', relative: 'go/terraform.go.sum', origin: 'real' },
  {
    label: 'Gemfile.lock gitlab',
    format: 'gemfile-lock',
    relative: 'rubygems/gitlabhq.Gemfile.lock',
    origin: 'real',
  },
  {
    label: 'Gemfile.lock discourse',
    format: 'gemfile-lock',
    relative: 'rubygems/discourse.Gemfile.lock',
    origin: 'real',
  },
  { label: 'pom netty', format: 'pom', relative: 'maven/netty.pom.xml', origin: 'real' },
  {
    label: 'pom dubbo bom',
    format: 'pom',
    relative: 'maven/dubbo-dependencies-bom.pom.xml',
    origin: 'real',
  },
];

export function realInputs(): BenchInput[] {
  return REAL_INPUTS.map(({ relative, ...rest }) => ({ ...rest, file: requireShared(relative) }));
}

export const FORMAT_LABEL: Record<LockfileFormat, string> = {
  'package-lock': 'npm',
  'go-sum': 'go.sum',
  'gemfile-lock': 'Gemfile.lock',
  pom: 'pom',
};
