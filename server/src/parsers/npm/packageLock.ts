import * as path from 'node:path';
import { LineIndex } from '../../core/positions';
import type {
  Dependency,
  ParseProblem,
  ParseResult,
  ProblemSeverity,
  Range,
  SourceKind,
} from '../../core/types';
import type { ParseOptions } from '../parser';
import { end, type JsonNode, members, parseJson, property } from './json';
import { gitPurl, originOf, readIntegrity, registryPurl } from './sources';

/*
 * package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3 (npm docs,
 * "package-lock.json"). Versions 2 and 3 list every installed package under `packages`, keyed by
 * its folder; version 1 nests `dependencies` objects, one level per node_modules folder. A v2
 * file carries both, and the two describe the same tree, so `packages` alone is read.
 */

/** Flags kept in `details.flags`, in this order. v1 writes `bundled` where v2 writes `inBundle`. */
const FLAGS = ['dev', 'optional', 'devOptional', 'peer', 'inBundle'] as const;

/**
 * Fields npm writes in `packages` entries (arborist's shrinkwrap metadata keys, plus the root
 * entry's own). Anything else is reported as a hint: npm may have added a field deptrust does not
 * know, and the entry is read all the same.
 */
const KNOWN_PACKAGE_FIELDS = new Set([
  'name', 'version', 'resolved', 'integrity', 'link', 'dev', 'optional', 'devOptional', 'peer',
  'inBundle', 'extraneous', 'dependencies', 'devDependencies', 'optionalDependencies',
  'peerDependencies', 'peerDependenciesMeta', 'bundleDependencies', 'bundledDependencies',
  'acceptDependencies', 'funding', 'engines', 'os', 'cpu', 'libc', 'license', 'hasShrinkwrap',
  'hasInstallScript', 'bin', 'deprecated', 'workspaces', '_integrity', '_hasShrinkwrap',
  'ideallyInert',
]);

/** Fields of a v1 `dependencies` entry. */
const KNOWN_V1_FIELDS = new Set([
  'version', 'resolved', 'integrity', 'bundled', 'dev', 'optional', 'requires', 'dependencies',
  'from',
]);

const UNPINNED_GIT = 'git dependency without a pinned commit: its content cannot be checked';

class Reader {
  readonly problems: ParseProblem[] = [];
  readonly dependencies: Dependency[] = [];
  readonly index: LineIndex;

  /**
   * @param complete offset of the first syntax error: members ending after it are incomplete.
   */
  constructor(
    readonly text: string,
    readonly file: string,
    readonly complete: number,
  ) {
    this.index = new LineIndex(text);
  }

  range(node: JsonNode): Range {
    return this.index.rangeOf(node.offset, end(node));
  }

  /** Whether a member was read whole: it ends before any syntax error and is closed. */
  isComplete(member: JsonNode): boolean {
    const value = member.children?.[1];
    return end(member) <= this.complete && value !== undefined && value.closed !== false;
  }

  /** Adds a problem whose message starts with the file and its 1-based line. */
  report(code: string, severity: ProblemSeverity, range: Range, what: string): void {
    const message = `${this.file} line ${range.start.line + 1}: ${what}`;
    this.problems.push({ code, severity, range, message });
  }

  /** A string field of an entry, or undefined; a value of another type is reported. */
  string(entry: JsonNode, name: string): string | undefined {
    const value = property(entry, name);
    if (!value) return undefined;
    if (value.type === 'string') return value.value as string;
    const what = `expected a string for \`${name}\``;
    this.report('NPM_FIELD_TYPE', 'warning', this.range(value), what);
    return undefined;
  }

  /** A boolean field of an entry; a value of another type is reported and read as false. */
  boolean(entry: JsonNode, name: string): boolean {
    const value = property(entry, name);
    if (!value) return false;
    if (value.type === 'boolean') return value.value === true;
    const what = `expected true or false for \`${name}\``;
    this.report('NPM_FIELD_TYPE', 'warning', this.range(value), what);
    return false;
  }

  /** One hint per entry for fields deptrust does not know, however many there are. */
  unknownFields(entry: JsonNode, known: Set<string>): void {
    const unknown: JsonNode[] = [];
    for (const { key } of members(entry)) if (!known.has(key.value as string)) unknown.push(key);
    if (unknown.length === 0) return;
    const shown = unknown.slice(0, 3).map((key) => `\`${key.value as string}\``).join(', ');
    const more = unknown.length > 3 ? ` and ${unknown.length - 3} more` : '';
    const what = `unknown field${unknown.length > 1 ? 's' : ''} ${shown}${more} (ignored)`;
    this.report('NPM_UNKNOWN_FIELD', 'hint', this.range(unknown[0]), what);
  }

  /** Checksums from `integrity`, reporting tokens that are not `<algorithm>-<base64>`. */
  integrity(entry: JsonNode): { checksum: string | null; checksums: string[] } {
    const text = this.string(entry, 'integrity');
    if (text === undefined) return { checksum: null, checksums: [] };
    const integrity = readIntegrity(text);
    if (integrity.invalid.length > 0) {
      const node = property(entry, 'integrity') as JsonNode;
      const shown = integrity.invalid.map((t) => `\`${t.slice(0, 24)}\``).join(', ');
      this.report('NPM_BAD_INTEGRITY', 'warning', this.range(node),
        `expected \`<algorithm>-<base64>\` hashes in \`integrity\`, found ${shown}`);
    }
    return { checksum: integrity.strongest, checksums: integrity.checksums };
  }
}

/** The package name a `packages` key implies: the part after the last `node_modules/`. */
export function nameFromPath(key: string): string {
  const nested = key.lastIndexOf('/node_modules/');
  if (nested >= 0) return key.slice(nested + '/node_modules/'.length);
  if (key.startsWith('node_modules/')) return key.slice('node_modules/'.length);
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(slash + 1) : key;
}

function underNodeModules(key: string): boolean {
  return key.startsWith('node_modules/') || key.includes('/node_modules/');
}

/** Reads one `packages` entry (v2/v3) into a dependency, or reports why it cannot. */
function readPackage(reader: Reader, key: string, member: JsonNode, entry: JsonNode): void {
  const range = reader.range(member);
  reader.unknownFields(entry, KNOWN_PACKAGE_FIELDS);

  const name = reader.string(entry, 'name') ?? nameFromPath(key);
  const version = reader.string(entry, 'version') ?? null;
  const resolved = reader.string(entry, 'resolved');
  const link = reader.boolean(entry, 'link');
  const flags = FLAGS.filter((flag) => reader.boolean(entry, flag));
  const { checksum, checksums } = reader.integrity(entry);
  const details = { path: key, ...(flags.length ? { flags } : {}) };

  if (link) {
    // `resolved` names the linked folder. Arborist resolves an empty one to the project root
    // itself, a cycle for anything that follows links, and nothing deptrust could show.
    if (!resolved) {
      reader.report('NPM_LINK_WITHOUT_TARGET', 'hint', range,
        `link \`${key}\` has no \`resolved\` folder; skipped`);
      return;
    }
    reader.dependencies.push({
      ecosystem: 'npm', name, version, purl: null, checksum, checksums, range, source: 'link',
      details, hint: `workspace link to ${resolved}: part of this project`,
    });
    return;
  }

  if (!underNodeModules(key)) {
    reader.dependencies.push({
      ecosystem: 'npm', name, version, purl: null, checksum, checksums, range, source: 'local',
      details, hint: `local package in ${key}: part of this project`,
    });
    return;
  }

  const origin = originOf(resolved ?? '');
  let source: SourceKind = 'registry';
  let purl: string | null = null;
  let hint: string | undefined;
  let commit: string | undefined;
  switch (origin.kind) {
    case 'git':
      source = 'git';
      commit = origin.commit;
      if (commit) purl = gitPurl(name, version, origin.url, commit);
      else hint = UNPINNED_GIT;
      break;
    case 'local':
      source = 'local';
      hint = `local package from ${origin.target}: part of this project`;
      break;
    case 'tarball':
      // LIMITATION: a tarball fetched from a URL is filed under its npm name and version, so a
      // record for the registry package of that name applies; only its checksum tells them apart.
      purl = registryPurl(name, version);
      break;
    case 'registry':
      purl = registryPurl(name, version);
      if (!version) hint = 'no version in the lockfile: nothing to check';
      break;
  }

  reader.dependencies.push({
    ecosystem: 'npm', name, version, purl, checksum, checksums, range, source,
    details: commit ? { ...details, commit } : details,
    ...(hint ? { hint } : {}),
  });
}

function readPackages(reader: Reader, packages: JsonNode): void {
  const last = lastMembers(reader, packages);
  for (const { member, key, value } of members(packages)) {
    if (!reader.isComplete(member) || !value) continue;
    const name = key.value as string;
    if (name === '') continue;
    if (last.get(name) !== member) continue;
    if (value.type !== 'object') {
      reader.report('NPM_ENTRY_TYPE', 'warning', reader.range(member),
        `expected an object for package \`${name}\``);
      continue;
    }
    readPackage(reader, name, member, value);
  }
}

/**
 * The member that counts for each key: the last, as JSON.parse (and so npm) reads it. An earlier
 * duplicate is reported, since it hides what the file seems to say.
 */
function lastMembers(reader: Reader, object: JsonNode): Map<string, JsonNode> {
  const last = new Map<string, JsonNode>();
  for (const { member, key } of members(object)) {
    const name = key.value as string;
    const earlier = last.get(name);
    if (earlier) {
      const again = reader.range(member).start.line + 1;
      reader.report('NPM_DUPLICATE_KEY', 'warning', reader.range(earlier),
        `\`${name}\` appears again on line ${again}; npm reads only the last`);
    }
    last.set(name, member);
  }
  return last;
}

/** Reads a v1 `version`, which holds a specifier for aliases, git and local packages. */
function readV1Package(
  reader: Reader,
  folder: string,
  nodePath: string,
  member: JsonNode,
  entry: JsonNode,
): void {
  const range = reader.range(member);
  reader.unknownFields(entry, KNOWN_V1_FIELDS);

  const written = reader.string(entry, 'version');
  const resolved = reader.string(entry, 'resolved');
  const flags = FLAGS.filter((flag) =>
    reader.boolean(entry, flag === 'inBundle' ? 'bundled' : flag));
  const { checksum, checksums } = reader.integrity(entry);
  const details = { path: nodePath, ...(flags.length ? { flags } : {}) };

  let name = folder;
  let version: string | null = written ?? null;
  if (written?.startsWith('npm:')) {
    // An alias: `npm:<name>@<version>`, where a scoped name has an `@` of its own.
    const spec = written.slice('npm:'.length);
    const at = spec.lastIndexOf('@');
    name = at > 0 ? spec.slice(0, at) : spec;
    version = at > 0 ? spec.slice(at + 1) : null;
  }

  const origin = originOf(written && !written.startsWith('npm:') ? written : resolved ?? '');
  if (origin.kind === 'git') {
    const commit = origin.commit;
    reader.dependencies.push({
      ecosystem: 'npm', name, version: null,
      purl: commit ? gitPurl(name, null, origin.url, commit) : null,
      checksum, checksums, range, source: 'git',
      details: commit ? { ...details, commit } : details,
      ...(commit ? {} : { hint: UNPINNED_GIT }),
    });
    return;
  }
  if (origin.kind === 'local') {
    // npm links a `file:` folder into node_modules and unpacks a `file:` tarball there.
    const tarball = /\.(tgz|tar\.gz|tar)$/i.test(origin.target);
    reader.dependencies.push({
      ecosystem: 'npm', name, version: null, purl: null, checksum, checksums, range,
      source: tarball ? 'local' : 'link', details,
      hint: tarball
        ? `local package from ${origin.target}: part of this project`
        : `link to ${origin.target}: part of this project`,
    });
    return;
  }
  if (written && origin.kind === 'tarball' && written === resolved) version = null;

  reader.dependencies.push({
    ecosystem: 'npm', name, version, purl: registryPurl(name, version), checksum, checksums, range,
    source: 'registry', details,
    ...(version ? {} : { hint: 'no version in the lockfile: nothing to check' }),
  });
}

/**
 * Walks v1 `dependencies` depth-first in file order, each entry before the packages nested in
 * it, with an explicit stack (the JSON depth bound already limits its height). An entry cut off
 * by a syntax error is not reported, but the complete entries nested in it are.
 */
function readDependencies(reader: Reader, top: JsonNode): void {
  interface Frame {
    list: ReturnType<typeof members>;
    last: Map<string, JsonNode>;
    parent: string;
    next: number;
  }
  const frame = (object: JsonNode, parent: string): Frame =>
    ({ list: members(object), last: lastMembers(reader, object), parent, next: 0 });
  const stack: Frame[] = [frame(top, '')];

  while (stack.length > 0) {
    const current = stack[stack.length - 1];
    if (current.next >= current.list.length) {
      stack.pop();
      continue;
    }
    const { member, key, value } = current.list[current.next++];
    const folder = key.value as string;
    if (!value || current.last.get(folder) !== member) continue;
    const nodePath = `${current.parent ? `${current.parent}/` : ''}node_modules/${folder}`;
    if (value.type !== 'object') {
      if (reader.isComplete(member)) {
        reader.report('NPM_ENTRY_TYPE', 'warning', reader.range(member),
          `expected an object for dependency \`${folder}\``);
      }
      continue;
    }
    if (reader.isComplete(member)) readV1Package(reader, folder, nodePath, member, value);

    const nested = property(value, 'dependencies');
    if (!nested) continue;
    if (nested.type === 'object') stack.push(frame(nested, nodePath));
    else if (reader.isComplete(nested)) {
      reader.report('NPM_FIELD_TYPE', 'warning', reader.range(nested),
        'expected an object for `dependencies`');
    }
  }
}

/**
 * The objects the reader looks into: the root, `packages` and its entries, and v1 `dependencies`
 * at every level. A v2 file's v1 mirror is left shallow once `packages` has been seen, and so are
 * the entries' own fields (`dependencies` ranges, `engines`, `bin`), which keeps a large lockfile
 * fast to read.
 */
function expandLockfile(keys: readonly string[], root: JsonNode): boolean {
  if (keys[0] === 'packages') return keys.length <= 2;
  if (keys[0] !== 'dependencies') return false;
  if (keys.length === 1) return property(root, 'packages')?.type !== 'object';
  for (let i = 2; i < keys.length; i += 2) if (keys[i] !== 'dependencies') return false;
  return true;
}

function result(reader: Reader, ok: boolean): ParseResult {
  reader.problems.sort((a, b) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return {
    format: 'package-lock',
    ecosystem: 'npm',
    dependencies: reader.dependencies,
    problems: reader.problems,
    ok,
  };
}

/**
 * Reads a package-lock.json or npm-shrinkwrap.json. Never throws: a JSON syntax error gives an
 * error problem at its position, `ok: false`, and the entries complete before it; a wrong entry
 * gives a problem on that entry and the others are still read.
 */
export function parsePackageLock(text: string, options: ParseOptions): ParseResult {
  const file = path.basename(options.path || '') || 'package-lock.json';
  const document = parseJson(text, expandLockfile);
  const error = document.error;
  const reader = new Reader(text, file, error ? error.offset : text.length);

  if (error) {
    const stop = Math.min(error.offset + error.length, text.length);
    const range = reader.index.rangeOf(error.offset, stop);
    const column = range.start.character + 1;
    reader.report(error.code, 'error', range, `column ${column}: expected ${error.expected}`);
  }

  const root = document.root;
  if (!root || root.type !== 'object') {
    if (!error) {
      const range = root ? reader.range(root) : reader.index.rangeOf(0, 0);
      reader.report('NPM_NOT_LOCKFILE', 'error', range,
        'expected a JSON object with `lockfileVersion`');
    }
    return result(reader, false);
  }

  const lockfileVersion = property(root, 'lockfileVersion');
  if (!lockfileVersion && !error) {
    const brace = reader.index.rangeOf(root.offset, root.offset + 1);
    reader.report('NPM_NO_LOCKFILE_VERSION', 'warning', brace,
      'expected `lockfileVersion` (1, 2 or 3); reading the file as best it can');
  } else if (lockfileVersion && ![1, 2, 3].includes(lockfileVersion.value as number)) {
    reader.report('NPM_LOCKFILE_VERSION', 'warning', reader.range(lockfileVersion),
      'expected `lockfileVersion` 1, 2 or 3; reading the file as best it can');
  }

  const packages = property(root, 'packages');
  const dependencies = property(root, 'dependencies');
  if (packages?.type === 'object') {
    readPackages(reader, packages);
    return result(reader, !error);
  }
  if (packages) {
    reader.report('NPM_FIELD_TYPE', 'error', reader.range(packages),
      'expected an object for `packages`');
  }
  if (dependencies?.type === 'object') {
    readDependencies(reader, dependencies);
    return result(reader, !error);
  }
  if (dependencies) {
    reader.report('NPM_FIELD_TYPE', 'error', reader.range(dependencies),
      'expected an object for `dependencies`');
    return result(reader, false);
  }
  // npm writes `packages` into every v2 and v3 lockfile, with at least the root entry; a v1
  // lockfile of a project without dependencies has no `dependencies` at all.
  const version = lockfileVersion?.value;
  if (!packages && !error && lockfileVersion && typeof version === 'number' && version >= 2) {
    reader.report('NPM_NO_PACKAGES', 'warning', reader.range(lockfileVersion),
      `expected \`packages\` in a lockfile of version ${version}; no entry to read`);
  }
  return result(reader, !error && !packages);
}
