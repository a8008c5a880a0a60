import type { Dependency } from '../core/types';

/** What happened to one lockfile entry between two states. */
export type ChangeKind = 'added' | 'changed' | 'removed';

export interface DependencyChange {
  kind: ChangeKind;
  /** The entry before the change; absent for `added`. */
  before?: Dependency;
  /** The entry after the change; absent for `removed`. */
  after?: Dependency;
}

/**
 * The identity of an entry across versions of its lockfile: what stays the same when the
 * dependency is bumped or re-pinned.
 *   - npm: the install path (`node_modules/a/node_modules/b`), unique in a lockfile.
 *   - Go: module, version and what the checksum covers; go.sum legitimately pins several
 *     versions of one module, so a version is part of the identity (see `pairBumps`).
 *   - gems: name and platform (`nokogiri` for x86_64-linux and for java are two entries).
 *   - Maven: groupId:artifactId, classifier, type and the section (dependencies,
 *     dependencyManagement, plugin) the element sits in.
 */
export function identityOf(dep: Dependency): string {
  const d = dep.details ?? {};
  switch (dep.ecosystem) {
    case 'npm':
      return `npm\0${d.path ?? dep.name}`;
    case 'golang':
      return `golang\0${dep.name}\0${dep.version ?? ''}\0${dep.checksumOf ?? 'zip'}`;
    case 'gem':
      return `gem\0${dep.name}\0${d.platform ?? ''}`;
    case 'maven':
      return `maven\0${dep.name}\0${d.classifier ?? ''}\0${d.type ?? 'jar'}\0${d.section ?? 'dependencies'}`;
  }
}

/** Whether two entries of one identity pin different artifacts. */
function differs(a: Dependency, b: Dependency): boolean {
  if (a.version !== b.version || a.purl !== b.purl || a.checksum !== b.checksum) return true;
  if (a.source !== b.source || a.details?.commit !== b.details?.commit) return true;
  return a.checksums.join(' ') !== b.checksums.join(' ');
}

function groupByIdentity(deps: readonly Dependency[]): Map<string, Dependency[]> {
  const groups = new Map<string, Dependency[]>();
  for (const d of deps) {
    const key = identityOf(d);
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  return groups;
}

/**
 * Go identities hold the version, so a bump first shows as a removal and an addition. When a
 * module has exactly one removed and one added version of a checksum kind, that is a bump and
 * is reported as one change; several on either side stay additions and removals, because
 * go.sum keeps older versions' go.mod lines and a pairing would be a guess.
 */
function pairBumps(changes: DependencyChange[]): DependencyChange[] {
  const moduleKey = (d: Dependency) => `${d.name}\0${d.checksumOf ?? 'zip'}`;
  const added = new Map<string, DependencyChange[]>();
  const removed = new Map<string, DependencyChange[]>();
  for (const c of changes) {
    const dep = c.after ?? c.before!;
    if (dep.ecosystem !== 'golang' || c.kind === 'changed') continue;
    const into = c.kind === 'added' ? added : removed;
    const list = into.get(moduleKey(dep)) ?? [];
    list.push(c);
    into.set(moduleKey(dep), list);
  }
  const merged = new Set<DependencyChange>();
  const out: DependencyChange[] = [];
  for (const c of changes) {
    if (merged.has(c)) continue;
    const dep = c.after ?? c.before!;
    if (c.kind === 'added' && dep.ecosystem === 'golang') {
      const adds = added.get(moduleKey(dep))!;
      const removes = removed.get(moduleKey(dep)) ?? [];
      if (adds.length === 1 && removes.length === 1) {
        merged.add(removes[0]);
        out.push({ kind: 'changed', before: removes[0].before, after: c.after });
        continue;
      }
    }
    out.push(c);
  }
  return out.filter((c) => !merged.has(c));
}

/**
 * Compares the entries of two versions of one lockfile. Entries are matched by identity
 * (`identityOf`); an identity that occurs several times on a side is matched in file order.
 * Unchanged entries are left out. The result is in the order of the new file, removals last.
 */
export function diffDependencies(
  before: readonly Dependency[],
  after: readonly Dependency[],
): DependencyChange[] {
  const old = groupByIdentity(before);
  const changes: DependencyChange[] = [];
  const used = new Map<string, number>();
  for (const dep of after) {
    const key = identityOf(dep);
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    const previous = old.get(key)?.[n];
    if (!previous) changes.push({ kind: 'added', after: dep });
    else if (differs(previous, dep))
      changes.push({ kind: 'changed', before: previous, after: dep });
  }
  for (const [key, deps] of old) {
    for (const dep of deps.slice(used.get(key) ?? 0))
      changes.push({ kind: 'removed', before: dep });
  }
  return pairBumps(changes);
}
