import * as path from 'node:path';
import { minimatch } from 'minimatch';
import { findLockfiles } from '../app/discover';
import { isProjectLockfile } from '../parsers';

/**
 * The lockfiles of the workspace folders, for checking files nobody has opened: a monorepo's
 * many package-lock.json files, a go.sum changed by `git checkout`.
 */
export class WorkspaceLockfiles {
  private roots: string[] = [];
  private excludes: string[] = [];

  setRoots(roots: string[]): void {
    this.roots = roots.map((r) => path.resolve(r));
  }

  setExcludes(globs: string[]): void {
    this.excludes = globs.filter((g) => typeof g === 'string' && g.trim() !== '');
  }

  /** Whether a file belongs to the scan: inside a root, a project lockfile, not excluded. */
  includes(filePath: string): boolean {
    if (!isProjectLockfile(filePath)) return false;
    const root = this.roots.find((r) => filePath === r || filePath.startsWith(r + path.sep));
    if (!root) return false;
    const rel = path.relative(root, filePath).split(path.sep).join('/');
    return !this.excludes.some((g) => minimatch(rel, g, { dot: true }) || minimatch(filePath, g, { dot: true }));
  }

  /** Every lockfile of every root, excludes applied. */
  scan(): string[] {
    const out: string[] = [];
    for (const root of this.roots) for (const f of findLockfiles(root)) if (this.includes(f)) out.push(f);
    return out;
  }
}
