import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The codes of everything that stops a review before any verdict; all exit 2. */
export type ReviewErrorCode =
  | 'GIT_UNAVAILABLE'
  | 'GIT_NOT_A_REPOSITORY'
  | 'GIT_BAD_REVISION'
  | 'GIT_UNMERGED'
  | 'GIT_FAILED'
  | 'REVIEW_LOCKFILE_BROKEN'
  | 'REVIEW_POLICY_BROKEN'
  | 'REVIEW_LEDGER_FAILED'
  | 'HOOK_NOT_OURS'
  | 'HOOK_FAILED';

/** A failure of the review itself, never a verdict: the CLI reports it and exits 2. */
export class ReviewError extends Error {
  constructor(
    readonly code: ReviewErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One side of a comparison: a commit, the index (what `git commit` would record), or the disk. */
export type GitState = { kind: 'commit'; rev: string } | { kind: 'index' } | { kind: 'worktree' };

export function describeState(state: GitState): string {
  if (state.kind === 'commit') return state.rev;
  return state.kind === 'index' ? 'the index' : 'the working tree';
}

/** Runs git; throws a ReviewError unless it exits 0, or with a status `allow` lists. */
export function git(
  cwd: string,
  args: string[],
  allow: number[] = [],
): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('git', args, {
    cwd,
    maxBuffer: 1 << 30,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ReviewError('GIT_UNAVAILABLE', 'git is not installed or not on PATH');
    throw new ReviewError('GIT_FAILED', `git ${args[0]}: ${r.error.message}`);
  }
  const status = r.status ?? 128;
  const stderr = r.stderr.toString('utf8').trim();
  if (status !== 0 && !allow.includes(status)) {
    throw new ReviewError('GIT_FAILED', `git ${args.join(' ')} failed (exit ${status}): ${stderr}`);
  }
  return { status, stdout: r.stdout, stderr };
}

/** The repository around a folder: its work tree root and git folder (absolute paths). */
export interface Repository {
  root: string;
  gitDir: string;
}

export function openRepository(cwd: string): Repository {
  const r = git(cwd, ['rev-parse', '--show-toplevel', '--absolute-git-dir'], [128]);
  if (r.status !== 0) {
    throw new ReviewError(
      'GIT_NOT_A_REPOSITORY',
      `${cwd} is not inside a git work tree (${r.stderr.split('\n')[0]})`,
    );
  }
  const [root, gitDir] = r.stdout.toString('utf8').trim().split('\n');
  if (!root || !gitDir)
    throw new ReviewError('GIT_NOT_A_REPOSITORY', `${cwd} is not inside a git work tree`);
  return { root: path.resolve(root), gitDir: path.resolve(gitDir) };
}

/** The commit a revision names, or a ReviewError naming the revision. */
export function resolveCommit(repo: Repository, rev: string): string {
  if (rev.startsWith('-')) throw new ReviewError('GIT_BAD_REVISION', `${rev}: not a revision`);
  const r = git(
    repo.root,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
    [1, 128],
  );
  if (r.status !== 0)
    throw new ReviewError('GIT_BAD_REVISION', `${rev}: no such commit in ${repo.root}`);
  return r.stdout.toString('utf8').trim();
}

/** HEAD's commit, or undefined before the first commit of a repository. */
export function headCommit(repo: Repository): string | undefined {
  const r = git(repo.root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], [1, 128]);
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** The empty tree of this repository's hash function (SHA-1 or SHA-256). */
export function emptyTree(repo: Repository): string {
  return git(repo.root, ['hash-object', '-t', 'tree', '--stdin'], [])
    .stdout.toString('utf8')
    .trim();
}

function splitZ(out: Buffer): string[] {
  return out.toString('utf8').split('\0').filter(Boolean);
}

/**
 * The paths (relative to the root, `/`-separated) that differ between `base` and `head`.
 * Renames are split into a removal and an addition so both lockfiles are compared whole.
 * Comparing with the working tree also lists untracked files git does not ignore: a new
 * lockfile is part of the change before it is ever added.
 */
export function changedPaths(repo: Repository, base: string, head: GitState): string[] {
  if (head.kind === 'commit') {
    return splitZ(
      git(repo.root, [
        'diff',
        '--name-only',
        '-z',
        '--no-renames',
        '--no-ext-diff',
        base,
        head.rev,
        '--',
      ]).stdout,
    );
  }
  const cached = head.kind === 'index' ? ['--cached'] : [];
  const paths = splitZ(
    git(repo.root, [
      'diff',
      '--name-only',
      '-z',
      '--no-renames',
      '--no-ext-diff',
      ...cached,
      base,
      '--',
    ]).stdout,
  );
  if (head.kind === 'worktree') {
    paths.push(
      ...splitZ(git(repo.root, ['ls-files', '-z', '--others', '--exclude-standard']).stdout),
    );
  }
  return [...new Set(paths)].sort();
}

/** Paths with unresolved merge conflicts in the index. */
export function unmergedPaths(repo: Repository): string[] {
  const out = git(repo.root, ['ls-files', '-z', '--unmerged']).stdout;
  return [...new Set(splitZ(out).map((line) => line.slice(line.indexOf('\t') + 1)))];
}

/**
 * A file's bytes in a state, or undefined when it does not exist there. `rel` is relative to
 * the root with `/` separators.
 */
export function readAt(repo: Repository, state: GitState, rel: string): Buffer | undefined {
  if (state.kind === 'worktree') return readDisk(path.join(repo.root, rel));
  const spec = state.kind === 'index' ? `:${rel}` : `${state.rev}:${rel}`;
  // `cat-file -e` tells a missing path (exit 128 / 1) from a failing git.
  const exists = git(repo.root, ['cat-file', '-e', spec], [1, 128]);
  if (exists.status !== 0) return undefined;
  return git(repo.root, ['cat-file', 'blob', spec]).stdout;
}

function readDisk(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ReviewError(
      'GIT_FAILED',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

/** Whether a merge is under way (`MERGE_HEAD` exists): the commit will have two parents. */
export function mergeHead(repo: Repository): string | undefined {
  const r = git(repo.root, ['rev-parse', '--verify', '--quiet', 'MERGE_HEAD^{commit}'], [1, 128]);
  return r.status === 0 ? r.stdout.toString('utf8').trim() : undefined;
}
