// The editor tests' workspace and ledger: copies of the lockfiles in fixtures/workspace in a
// temporary folder, and ledger records written beforehand with the real `deptrust` CLI.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './harness';

export const FIXTURES = path.join(__dirname, 'fixtures', 'workspace');

/** Copies every fixture lockfile into a new temporary folder and returns its path. */
export function makeWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-e2e-ws-'));
  for (const name of fs.readdirSync(FIXTURES)) {
    fs.copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
  }
  return dir;
}

/** The 1-based line of the only line of a fixture that contains `needle`. */
export function lineOf(file: string, needle: string): number {
  const lines = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) {
    throw new Error(`${file}: expected one line containing ${needle}, found ${hits.length}`);
  }
  return hits[0];
}

/** The 1-based column where `needle` starts on a fixture's line. */
export function columnOf(file: string, line: number, needle: string): number {
  const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n')[line - 1] ?? '';
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${file}:${line}: no ${needle}`);
  return at + 1;
}

/**
 * Runs `node bin/deptrust ARGS` (the built CLI) with `env` added, and returns its stdout;
 * throws with both streams when it exits non-zero.
 */
export function deptrust(args: string[], env: Record<string, string>): string {
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'deptrust'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) {
    throw new Error(
      `deptrust ${args.join(' ')} exited with ${run.status}:\n${run.stdout}${run.stderr}`,
    );
  }
  return run.stdout;
}
