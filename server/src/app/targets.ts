import type { Dependency, Position } from '../core/types';
import { normalizePurl } from '../core/purl';
import { loadLockfile } from './lockfiles';
import { subjectOf } from './session';
import type { RecordSubject } from '../ledger/record';

export class TargetError extends Error {
  constructor(
    readonly code: 'TARGET_INVALID' | 'TARGET_NOT_FOUND' | 'TARGET_NOT_A_SUBJECT',
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedTarget {
  subject: RecordSubject;
  /** The lockfile entry, when the target named one. */
  dependency?: Dependency;
}

function contains(dep: Dependency, pos: Position): boolean {
  const { start, end } = dep.range;
  if (pos.line < start.line || pos.line > end.line) return false;
  if (pos.line === start.line && pos.character < start.character) return false;
  if (pos.line === end.line && pos.character > end.character) return false;
  return true;
}

function size(dep: Dependency): number {
  return (dep.range.end.line - dep.range.start.line) * 1e6 + dep.range.end.character - dep.range.start.character;
}

/** The innermost entry at a position (npm v1 nests entries inside entries). */
export function dependencyAt(deps: readonly Dependency[], pos: Position, wholeLine = false): Dependency | undefined {
  let best: Dependency | undefined;
  for (const d of deps) {
    const hit = wholeLine ? pos.line >= d.range.start.line && pos.line <= d.range.end.line : contains(d, pos);
    if (hit && (!best || size(d) < size(best))) best = d;
  }
  return best;
}

/**
 * Resolves what a user names on the command line: a purl (`pkg:npm/lodash@4.17.21`) or an
 * entry of a lockfile (`FILE:LINE`, 1-based, as editors and compilers print them).
 */
export function resolveTarget(target: string, cache = new Map<string, Dependency[]>()): ResolvedTarget {
  if (target.startsWith('pkg:')) {
    try {
      return { subject: { purl: normalizePurl(target) } };
    } catch (err) {
      throw new TargetError('TARGET_INVALID', `${target}: not a valid package URL (${(err as Error).message})`);
    }
  }
  const m = /^(.*):(\d+)(?::(\d+))?$/.exec(target);
  if (!m) throw new TargetError('TARGET_INVALID', `${target}: expected a purl (pkg:type/name@version) or FILE:LINE`);
  let deps = cache.get(m[1]);
  if (!deps) {
    deps = loadLockfile(m[1]).result.dependencies;
    cache.set(m[1], deps);
  }
  const pos = { line: Number(m[2]) - 1, character: m[3] ? Number(m[3]) - 1 : 0 };
  const dep = dependencyAt(deps, pos, !m[3]);
  if (!dep) throw new TargetError('TARGET_NOT_FOUND', `${target}: no dependency entry on line ${m[2]}`);
  const subject = subjectOf(dep);
  if (!subject) {
    throw new TargetError('TARGET_NOT_A_SUBJECT', `${target}: ${dep.name} is not a registry artifact${dep.hint ? ` (${dep.hint})` : ''}`);
  }
  return { subject, dependency: dep };
}
