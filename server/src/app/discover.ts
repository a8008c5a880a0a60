import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFromName } from '../parsers';

/** Folders never searched for the project's lockfiles: installed packages and VCS data. */
const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', 'target', 'vendor', '.cache']);

/**
 * Every lockfile under `dir` by file name, depth first in name order, not following symlinks
 * into cycles. Lockfiles under node_modules belong to installed packages, not the project.
 */
export function findLockfiles(dir: string, limit = 10000): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (d: string): void => {
    let real: string;
    try {
      real = fs.realpathSync(d);
    } catch {
      return;
    }
    if (seen.has(real) || found.length >= limit) return;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED.has(e.name)) walk(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && isLockfileName(e.name)) {
        found.push(full);
      }
    }
  };
  walk(dir);
  return found;
}

function isLockfileName(name: string): boolean {
  const f = formatFromName(name);
  // Only the canonical names when searching folders; odd names are read when named explicitly.
  return f !== undefined && ['package-lock.json', 'npm-shrinkwrap.json', 'go.sum', 'go.work.sum', 'Gemfile.lock', 'gems.locked', 'pom.xml'].includes(name);
}
