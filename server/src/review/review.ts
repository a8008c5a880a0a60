import * as path from 'node:path';
import { decodeLockfile } from '../app/lockfiles';
import type { TrustSession } from '../app/session';
import type {
  Dependency,
  DependencyDetails,
  Ecosystem,
  LockfileFormat,
  Range,
  SourceKind,
  Verdict,
} from '../core/types';
import type { LedgerHealth } from '../ledger/ledger';
import { formatFromName, isProjectLockfile, parseLockfile } from '../parsers';
import { ANY_ROLE, failsCheck, POLICY_PATH, type Policy, type PolicyLoad } from '../trust/policy';
import { diffDependencies, type ChangeKind, type DependencyChange } from './diff';
import {
  changedPaths,
  describeState,
  emptyTree,
  headCommit,
  mergeHead,
  openRepository,
  readAt,
  resolveCommit,
  ReviewError,
  unmergedPaths,
  type GitState,
  type Repository,
} from './git';

/** What to compare: the index with HEAD (`staged`), or the working tree with a revision. */
export type ReviewTarget = { staged: true } | { staged: false; base: string };

export interface ReviewOptions {
  /** A folder inside the repository. */
  cwd: string;
  target: ReviewTarget;
  /** Lets `unknown` pass, unless the policy itself fails on it (`unknownFails`). */
  allowUnknown?: boolean;
}

/** One side of a change: the entry as that version of the lockfile pins it. */
export interface ReviewedEntry {
  version: string | null;
  purl: string | null;
  checksum: string | null;
  checksums: string[];
  checksumOf?: 'zip' | 'go.mod';
  source: SourceKind;
  /** Where the entry is in that version of the lockfile (LSP range, 0-based). */
  range: Range;
  details?: DependencyDetails;
}

export interface ReviewedChange {
  kind: ChangeKind;
  ecosystem: Ecosystem;
  name: string;
  before?: ReviewedEntry;
  after?: ReviewedEntry;
  /** Verdict on the entry after the change; for a removal, on the entry that was removed. */
  verdict: Verdict;
  summary: string;
  /** Whether this change stops the commit: an addition or change whose verdict fails. */
  blocks: boolean;
}

/** A problem that makes the review itself fail (exit 2): never a silent pass. */
export interface ReviewProblem {
  code: string;
  message: string;
  /** Absolute path of the file at fault, with the position when known. */
  file?: string;
  range?: Range;
}

export interface ReviewedLockfile {
  /** Absolute path in the work tree. */
  path: string;
  /** Relative to the repository root, `/`-separated, as git names it. */
  relativePath: string;
  format: LockfileFormat;
  ecosystem: Ecosystem;
  changes: ReviewedChange[];
  policy: PolicySummary;
}

export interface PolicySummary {
  ok: boolean;
  source: 'file' | 'default' | 'broken';
  path: string | null;
  /** Actors whose decisions decide here (a veto or a trust role): whom to ask. */
  deciders: string[];
}

export interface Review {
  repository: string;
  /** The older state: a commit id, or `null` before the first commit (the empty tree). */
  base: { label: string; commit: string | null };
  head: { label: 'index' | 'worktree' };
  /** The commit being merged when a merge is under way. */
  merging?: string;
  lockfiles: ReviewedLockfile[];
  ledger: { kind: string; location: string; health: LedgerHealth; message: string };
  problems: ReviewProblem[];
  /**
   * Policy files (relative paths) this comparison changes. The review judges under the policy
   * in the working tree, so a change of the policy deserves a reviewer's eyes of its own.
   */
  policyChanges: string[];
  /** True when a change blocks; `problems` decide separately (exit 2 over exit 1). */
  blocked: boolean;
}

/** Actors whose records decide under the policy: those holding a veto or a trust role. */
export function decidersOf(policy: Policy): string[] {
  const roles = new Set([...policy.veto, ...policy.trust.flatMap((t) => t.roles)]);
  return policy.actors
    .filter((a) => roles.has(ANY_ROLE) || a.roles.some((r) => roles.has(r)))
    .map((a) => a.name);
}

/** Whether a verdict on an added or changed entry stops the commit. */
export function blocksCommit(verdict: Verdict, policy: Policy, allowUnknown: boolean): boolean {
  return failsCheck(verdict, policy) || (verdict === 'unknown' && !allowUnknown);
}

interface Side {
  state: GitState;
  deps: Dependency[];
}

/**
 * Parses one version of a lockfile. A file absent in that state has no entries; a file that
 * does not parse is a problem, never an empty side (that would turn every entry into a change).
 */
function readSide(
  repo: Repository,
  state: GitState,
  rel: string,
  format: LockfileFormat,
  problems: ReviewProblem[],
): Dependency[] {
  const bytes = readAt(repo, state, rel);
  if (bytes === undefined) return [];
  const abs = path.join(repo.root, rel);
  const readFile = (other: string): string | undefined => {
    const inRepo = path.relative(repo.root, other);
    if (inRepo.startsWith('..') || path.isAbsolute(inRepo)) return undefined;
    const related = readAt(repo, state, inRepo.split(path.sep).join('/'));
    return related === undefined ? undefined : decodeLockfile(related, 'pom');
  };
  const result = parseLockfile(format, decodeLockfile(bytes, format), { path: abs, readFile });
  if (!result.ok) {
    const errors = result.problems.filter((p) => p.severity === 'error');
    for (const p of errors.length ? errors : result.problems.slice(0, 1)) {
      problems.push({
        code: p.code,
        message: `${rel} in ${describeState(state)}: ${p.message}`,
        file: abs,
        range: p.range,
      });
    }
    if (!errors.length && !result.problems.length) {
      problems.push({
        code: 'REVIEW_LOCKFILE_BROKEN',
        message: `${rel} in ${describeState(state)} does not parse`,
        file: abs,
      });
    }
  }
  return result.dependencies;
}

function entryOf(d: Dependency): ReviewedEntry {
  return {
    version: d.version,
    purl: d.purl,
    checksum: d.checksum,
    checksums: d.checksums,
    ...(d.checksumOf ? { checksumOf: d.checksumOf } : {}),
    source: d.source,
    range: d.range,
    ...(d.details ? { details: d.details } : {}),
  };
}

function summarizePolicy(load: PolicyLoad): PolicySummary {
  const source = load.policy.source;
  return {
    ok: load.ok,
    source: source.kind,
    path: 'path' in source ? source.path : null,
    deciders: decidersOf(load.policy),
  };
}

/** The lockfiles (relative paths) a comparison touches, by file name, outside node_modules. */
export function changedLockfiles(
  paths: readonly string[],
): Array<{ rel: string; format: LockfileFormat }> {
  const out: Array<{ rel: string; format: LockfileFormat }> = [];
  for (const rel of paths) {
    const format = formatFromName(rel);
    if (format && isProjectLockfile(rel)) out.push({ rel, format });
  }
  return out;
}

/** The policy files among changed paths (`.deptrust/policy.json` in any folder). */
function changedPolicies(paths: readonly string[]): string[] {
  const suffix = POLICY_PATH.split(path.sep).join('/');
  return paths.filter((p) => p === suffix || p.endsWith(`/${suffix}`));
}

/**
 * Reviews the lockfile changes between two states of a repository: every dependency added,
 * changed or removed, with its verdict under the policy that governs its lockfile.
 *
 * Throws ReviewError when git cannot answer (no repository, bad revision, unresolved merge
 * conflicts in a lockfile). Problems that concern one file (a lockfile that does not parse,
 * a broken policy) and a ledger that cannot be believed are collected in `problems`.
 */
export async function reviewChanges(
  session: TrustSession,
  options: ReviewOptions,
): Promise<Review> {
  const repo = openRepository(options.cwd);
  const head: GitState = options.target.staged ? { kind: 'index' } : { kind: 'worktree' };
  let base: { label: string; commit: string | null };
  if (options.target.staged) {
    const commit = headCommit(repo) ?? null;
    base = { label: commit ? 'HEAD' : '(no commit yet)', commit };
  } else {
    base = { label: options.target.base, commit: resolveCommit(repo, options.target.base) };
  }
  const baseTree = base.commit ?? emptyTree(repo);
  const baseState: GitState = base.commit
    ? { kind: 'commit', rev: base.commit }
    : { kind: 'commit', rev: baseTree };

  const paths = changedPaths(repo, baseTree, head);
  const lockfiles = changedLockfiles(paths);
  if (head.kind === 'index') {
    const unmerged = new Set(unmergedPaths(repo));
    const conflicted = lockfiles.filter((l) => unmerged.has(l.rel)).map((l) => l.rel);
    if (conflicted.length) {
      throw new ReviewError(
        'GIT_UNMERGED',
        `unresolved merge conflicts in ${conflicted.join(', ')}; resolve them and \`git add\` the result first`,
      );
    }
  }

  const problems: ReviewProblem[] = [];
  const reviewed: ReviewedLockfile[] = [];
  const allowUnknown = options.allowUnknown ?? false;
  for (const { rel, format } of lockfiles) {
    const abs = path.join(repo.root, rel);
    const before = readSide(repo, baseState, rel, format, problems);
    const after = readSide(repo, head, rel, format, problems);
    const changes = diffDependencies(before, after);
    if (changes.length === 0) continue;

    // LIMITATION: the policy is read from the working tree, not from the index or the base
    // commit: a commit that weakens the policy is judged under the weakened policy (it is
    // pointed out in `policyChanges`, not stopped).
    const policy = session.policyFor(abs);
    if (!policy.ok) {
      for (const e of policy.errors)
        problems.push({ code: e.code, message: e.message, file: policy.file, range: e.range });
    }
    const subjects = changes.map((c: DependencyChange) =>
      c.kind === 'removed' ? c.before! : c.after!,
    );
    const evaluations = await session.evaluate(subjects, policy.policy);
    const ecosystem = (after[0] ?? before[0])?.ecosystem ?? ecosystemOf(format);
    reviewed.push({
      path: abs,
      relativePath: rel,
      format,
      ecosystem,
      policy: summarizePolicy(policy),
      changes: changes.map((c, i) => {
        const e = evaluations[i];
        const dep = subjects[i];
        return {
          kind: c.kind,
          ecosystem: dep.ecosystem,
          name: dep.name,
          ...(c.before ? { before: entryOf(c.before) } : {}),
          ...(c.after ? { after: entryOf(c.after) } : {}),
          verdict: e.verdict,
          summary: e.summary,
          blocks: c.kind !== 'removed' && blocksCommit(e.verdict, policy.policy, allowUnknown),
        };
      }),
    });
  }

  // A ledger that cannot be believed fails the review even when no entry changed: a hook must
  // not pass quietly while the ledger is tampered with or gone.
  const state = session.ledger.state();
  if (state.health === 'compromised' || state.health === 'unavailable') {
    problems.push({
      code: 'REVIEW_LEDGER_FAILED',
      message: `ledger ${state.health}: ${state.message}`,
    });
  }

  const merging = head.kind === 'index' ? mergeHead(repo) : undefined;
  return {
    repository: repo.root,
    base,
    head: { label: head.kind === 'index' ? 'index' : 'worktree' },
    ...(merging ? { merging } : {}),
    lockfiles: reviewed,
    ledger: {
      kind: session.ledger.kind,
      location: session.ledger.location,
      health: state.health,
      message: state.message,
    },
    problems,
    policyChanges: changedPolicies(paths),
    blocked: reviewed.some((l) => l.changes.some((c) => c.blocks)),
  };
}

function ecosystemOf(format: LockfileFormat): Ecosystem {
  return (
    { 'package-lock': 'npm', 'go-sum': 'golang', 'gemfile-lock': 'gem', pom: 'maven' } as const
  )[format];
}
