// The CLI as a user runs it: `node bin/deptrust ...` as a whole process, wall time from spawn
// to exit, against a fresh empty embedded ledger. `node -e 0` is timed too: the part of every
// figure no code of ours can remove. Each figure has a cache folder of its own and one untimed
// run first, which writes the CLI's code cache (bin/deptrust) as a user's first run does.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchInput } from './inputs';
import { REPO } from './inputs';
import { now, summarize, type Stats } from './measure';
import type { Row } from './report';

const CLI = path.join(REPO, 'bin', 'deptrust');

function env(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DEPTRUST_HOME: home,
    DEPTRUST_LEDGER: path.join(home, 'ledger'),
    DEPTRUST_IDENTITY: path.join(home, 'identity.json'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    NO_COLOR: '1',
  };
}

/**
 * Runs `args` once untimed and then `runs` times; throws when the process ends with a code
 * other than `ok`.
 */
function timeProcess(args: string[], runs: number, cwd: string, home: string, ok: number[]): Stats {
  const samples: number[] = [];
  for (let i = -1; i < runs; i++) {
    const t = now();
    const r = spawnSync(process.execPath, args, {
      cwd,
      env: env(home),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (i >= 0) samples.push(now() - t);
    if (r.status === null || !ok.includes(r.status)) {
      throw new Error(
        `${args.join(' ')} exited with ${r.status}: ${(r.stderr || '').slice(0, 400)}`,
      );
    }
  }
  return summarize(samples);
}

export function benchNodeStart(runs: number): Row {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-cli-'));
  try {
    const stats = timeProcess(['-e', '0'], runs, REPO, home, [0]);
    return { group: 'cli', what: 'node -e 0 (process floor)', input: '-', stats, unit: 'ms' };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** `deptrust check FILE`; exit 1 (unknown or untrusted entries) is a normal outcome here. */
export function benchCheck(input: BenchInput, runs: number): Row {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-cli-'));
  try {
    const stats = timeProcess([CLI, 'check', input.file], runs, REPO, home, [0, 1]);
    const mb = (fs.statSync(input.file).size / 1e6).toFixed(2);
    return {
      group: 'cli',
      what: 'deptrust check FILE',
      input: `${input.label} ${mb} MB`,
      stats,
      unit: 'ms',
    };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * `deptrust review --staged` in a scratch repository: `input` (a package-lock.json) is
 * committed, then one entry in `every` gets another version and integrity, and that is staged.
 */
export function benchReview(input: BenchInput, runs: number, every = 20): Row {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-review-'));
  const repo = path.join(home, 'repo');
  fs.mkdirSync(repo);
  try {
    git(repo, 'init', '-q');
    git(repo, 'config', 'user.email', 'bench@example.invalid');
    git(repo, 'config', 'user.name', 'bench');
    const text = fs.readFileSync(input.file, 'utf8');
    const lockfile = path.join(repo, 'package-lock.json');
    fs.writeFileSync(lockfile, text);
    git(repo, 'add', 'package-lock.json');
    git(repo, 'commit', '-q', '-m', 'lockfile');

    let n = 0;
    let changed = 0;
    const edited = text.replace(
      /("version": "\d+\.\d+\.)(\d+)(",\n\s*"resolved"[^\n]*\n\s*"integrity": "sha512-)(.)/g,
      (all, head: string, patch: string, mid: string, first: string) => {
        if (n++ % every !== 0) return all;
        changed++;
        return `${head}${Number(patch) + 1}${mid}${first === 'A' ? 'B' : 'A'}`;
      },
    );
    fs.writeFileSync(lockfile, edited);
    git(repo, 'add', 'package-lock.json');
    const stats = timeProcess([CLI, 'review', '--staged'], runs, repo, home, [0, 1]);
    const mb = (text.length / 1e6).toFixed(2);
    return {
      group: 'cli',
      what: 'deptrust review --staged',
      input: `${input.label} ${mb} MB`,
      stats,
      unit: 'ms',
      note: `${changed} entries changed`,
    };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
