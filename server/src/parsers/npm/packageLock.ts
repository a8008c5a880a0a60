import * as path from 'node:path';
import { LineCursor } from '../../core/positions';
import type {
  Dependency,
  DependencyDetails,
  ParseProblem,
  ParseResult,
  Position,
  ProblemSeverity,
  Range,
  SourceKind,
} from '../../core/types';
import type { ParseOptions } from '../parser';
import { end, type JsonNode, parseJson, property } from './json';
import { type LockMember, type LockObject, NodeObject } from './objects';
import { gitPurl, originOf, readIntegrity, registryPurl } from './sources';
import { readValidJson, TooDeep } from './validJson';

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
  /** For each `packages` entry that gave a dependency: its member's start and end offsets. */
  readonly spans: number[] = [];
  /** Entries are read in file order, so their positions are found by one forward sweep. */
  readonly index: LineCursor;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.index = new LineCursor(text);
  }

  range(span: { start: number; end: number }): Range {
    return this.index.rangeOf(span.start, span.end);
  }

  valueRange(entry: LockObject, name: string): Range {
    const [start, end] = entry.valueSpan(name);
    return this.index.rangeOf(start, end);
  }

  /** Adds a problem whose message starts with the file and its 1-based line. */
  report(code: string, severity: ProblemSeverity, range: Range, what: string): void {
    const message = `${this.file} line ${range.start.line + 1}: ${what}`;
    this.problems.push({ code, severity, range, message });
  }

  /** A string field of an entry, or undefined; a value of another type is reported. */
  string(entry: LockObject, name: string): string | undefined {
    const value = entry.get(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    const what = `expected a string for \`${name}\``;
    this.report('NPM_FIELD_TYPE', 'warning', this.valueRange(entry, name), what);
    return undefined;
  }

  /** A boolean field of an entry; a value of another type is reported and read as false. */
  boolean(entry: LockObject, name: string): boolean {
    const value = entry.get(name);
    if (value === undefined) return false;
    if (typeof value === 'boolean') return value;
    const what = `expected true or false for \`${name}\``;
    this.report('NPM_FIELD_TYPE', 'warning', this.valueRange(entry, name), what);
    return false;
  }

  /** One hint per entry for fields deptrust does not know, however many there are. */
  unknownFields(entry: LockObject, known: Set<string>): void {
    const unknown = entry.unknownKeys(known);
    if (unknown.length === 0) return;
    const shown = unknown.slice(0, 3).map((key) => `\`${key.name}\``).join(', ');
    const more = unknown.length > 3 ? ` and ${unknown.length - 3} more` : '';
    const what = `unknown field${unknown.length > 1 ? 's' : ''} ${shown}${more} (ignored)`;
    this.report('NPM_UNKNOWN_FIELD', 'hint', this.range(unknown[0]), what);
  }

  /** Checksums from `integrity`, reporting tokens that are not `<algorithm>-<base64>`. */
  integrity(entry: LockObject): { checksum: string | null; checksums: string[] } {
    const text = this.string(entry, 'integrity');
    if (text === undefined) return { checksum: null, checksums: [] };
    const integrity = readIntegrity(text);
    if (integrity.invalid.length > 0) {
      const shown = integrity.invalid.map((t) => `\`${t.slice(0, 24)}\``).join(', ');
      this.report('NPM_BAD_INTEGRITY', 'warning', this.valueRange(entry, 'integrity'),
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
function readPackage(reader: Reader, key: string, member: LockMember, entry: LockObject): void {
  const range = reader.range(member);
  reader.unknownFields(entry, KNOWN_PACKAGE_FIELDS);

  const name = reader.string(entry, 'name') ?? nameFromPath(key);
  const version = reader.string(entry, 'version') ?? null;
  const resolved = reader.string(entry, 'resolved');
  const link = reader.boolean(entry, 'link');
  const details = flagged(reader, entry, key, false);
  const { checksum, checksums } = reader.integrity(entry);

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

  if (commit) details.commit = commit;
  const dependency: Dependency = {
    ecosystem: 'npm', name, version, purl, checksum, checksums, range, source, details,
  };
  if (hint) dependency.hint = hint;
  reader.dependencies.push(dependency);
}

/**
 * The details every entry has: its path and, when any is set, its flags. `bundled` is read for
 * `inBundle` in v1 entries.
 */
function flagged(reader: Reader, entry: LockObject, path: string, v1: boolean): DependencyDetails {
  const details: DependencyDetails = { path };
  for (const flag of FLAGS) {
    if (reader.boolean(entry, v1 && flag === 'inBundle' ? 'bundled' : flag)) {
      (details.flags ??= []).push(flag);
    }
  }
  return details;
}

function readPackages(reader: Reader, packages: LockObject): void {
  const list = packages.members();
  const last = lastMembers(reader, list);
  for (const member of list) {
    if (!member.complete || !member.hasValue) continue;
    const name = member.name;
    if (name === '') continue;
    if (last.get(name) !== member) continue;
    if (!member.object) {
      reader.report('NPM_ENTRY_TYPE', 'warning', reader.range(member),
        `expected an object for package \`${name}\``);
      continue;
    }
    const before = reader.dependencies.length;
    readPackage(reader, name, member, member.object);
    if (reader.dependencies.length > before) reader.spans.push(member.start, member.end);
  }
}

/**
 * The member that counts for each key: the last, as JSON.parse (and so npm) reads it. An earlier
 * duplicate is reported, since it hides what the file seems to say.
 */
function lastMembers(reader: Reader, list: readonly LockMember[]): Map<string, LockMember> {
  const last = new Map<string, LockMember>();
  for (const member of list) {
    const name = member.name;
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
  member: LockMember,
  entry: LockObject,
): void {
  const range = reader.range(member);
  reader.unknownFields(entry, KNOWN_V1_FIELDS);

  const written = reader.string(entry, 'version');
  const resolved = reader.string(entry, 'resolved');
  const details = flagged(reader, entry, nodePath, true);
  const { checksum, checksums } = reader.integrity(entry);

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
function readDependencies(reader: Reader, top: LockObject): void {
  interface Frame {
    list: readonly LockMember[];
    last: Map<string, LockMember>;
    parent: string;
    next: number;
  }
  const frame = (object: LockObject, parent: string): Frame => {
    const list = object.members();
    return { list, last: lastMembers(reader, list), parent, next: 0 };
  };
  const stack: Frame[] = [frame(top, '')];

  while (stack.length > 0) {
    const current = stack[stack.length - 1];
    if (current.next >= current.list.length) {
      stack.pop();
      continue;
    }
    const member = current.list[current.next++];
    const folder = member.name;
    if (!member.hasValue || current.last.get(folder) !== member) continue;
    const nodePath = `${current.parent ? `${current.parent}/` : ''}node_modules/${folder}`;
    const entry = member.object;
    if (!entry) {
      if (member.complete) {
        reader.report('NPM_ENTRY_TYPE', 'warning', reader.range(member),
          `expected an object for dependency \`${folder}\``);
      }
      continue;
    }
    if (member.complete) readV1Package(reader, folder, nodePath, member, entry);

    const nested = entry.child('dependencies');
    if (nested) stack.push(frame(nested, nodePath));
    else if (member.complete && entry.get('dependencies') !== undefined) {
      reader.report('NPM_FIELD_TYPE', 'warning', reader.valueRange(entry, 'dependencies'),
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
  const file = fileName(options);
  // A byte order mark is read as whitespace, so that offsets stay those of the given text.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    // Syntax errors and stack exhaustion alike: the tolerant reader positions them.
    return parseTolerant(text, source, file);
  }
  let root: LockObject | undefined;
  try {
    root = readValidJson(source, parsed);
  } catch (thrown) {
    if (!(thrown instanceof TooDeep)) throw thrown;
  }
  // The tolerant reader reports a root that is no object, and nesting beyond its bound.
  if (!root) return parseTolerant(text, source, file);
  const reader = new Reader(text, file);
  return readLockfile(reader, root, true);
}

/**
 * parsePackageLock through the tolerant JSON reader alone, whether or not the text is valid
 * JSON. Exported so that tests can check that both readers give the same result.
 */
export function parsePackageLockTolerant(text: string, options: ParseOptions): ParseResult {
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  return parseTolerant(text, source, fileName(options));
}

function fileName(options: ParseOptions): string {
  return path.basename(options.path || '') || 'package-lock.json';
}

function parseTolerant(text: string, source: string, file: string): ParseResult {
  const document = parseJson(source, expandLockfile);
  const error = document.error;
  const reader = new Reader(text, file);

  if (error) {
    const stop = Math.min(error.offset + error.length, text.length);
    const range = reader.index.rangeOf(error.offset, stop);
    const column = range.start.character + 1;
    reader.report(error.code, 'error', range, `column ${column}: expected ${error.expected}`);
  }

  const root = document.root;
  if (!root || root.type !== 'object') {
    if (!error) {
      const range = reader.index.rangeOf(root?.offset ?? 0, root ? end(root) : 0);
      reader.report('NPM_NOT_LOCKFILE', 'error', range,
        'expected a JSON object with `lockfileVersion`');
    }
    return result(reader, false);
  }
  return readLockfile(reader, new NodeObject(root, error ? error.offset : text.length), !error);
}

/** Reads the root object; `valid` says whether the JSON had no syntax error. */
function readLockfile(reader: Reader, root: LockObject, valid: boolean): ParseResult {
  const lockfileVersion = root.get('lockfileVersion');
  if (lockfileVersion === undefined && valid) {
    const brace = reader.index.rangeOf(root.start, root.start + 1);
    reader.report('NPM_NO_LOCKFILE_VERSION', 'warning', brace,
      'expected `lockfileVersion` (1, 2 or 3); reading the file as best it can');
  } else if (lockfileVersion !== undefined && ![1, 2, 3].includes(lockfileVersion as number)) {
    reader.report('NPM_LOCKFILE_VERSION', 'warning', reader.valueRange(root, 'lockfileVersion'),
      'expected `lockfileVersion` 1, 2 or 3; reading the file as best it can');
  }

  const packages = root.child('packages');
  const hasPackages = root.get('packages') !== undefined;
  if (packages) {
    readPackages(reader, packages);
    const read = result(reader, valid);
    if (valid) entrySpans.set(read, reader.spans);
    return read;
  }
  if (hasPackages) {
    reader.report('NPM_FIELD_TYPE', 'error', reader.valueRange(root, 'packages'),
      'expected an object for `packages`');
  }
  const dependencies = root.child('dependencies');
  if (dependencies) {
    readDependencies(reader, dependencies);
    return result(reader, valid);
  }
  if (root.get('dependencies') !== undefined) {
    reader.report('NPM_FIELD_TYPE', 'error', reader.valueRange(root, 'dependencies'),
      'expected an object for `dependencies`');
    return result(reader, false);
  }
  // npm writes `packages` into every v2 and v3 lockfile, with at least the root entry; a v1
  // lockfile of a project without dependencies has no `dependencies` at all.
  if (!hasPackages && valid && typeof lockfileVersion === 'number' && lockfileVersion >= 2) {
    reader.report('NPM_NO_PACKAGES', 'warning', reader.valueRange(root, 'lockfileVersion'),
      `expected \`packages\` in a lockfile of version ${lockfileVersion}; no entry to read`);
  }
  return result(reader, valid && !hasPackages);
}

/**
 * Offsets of the `packages` entries behind each dependency of a result read from valid JSON,
 * `[start0, end0, start1, end1, ...]`: what `reparsePackageLock` needs to find the entry an edit
 * fell into.
 */
const entrySpans = new WeakMap<ParseResult, readonly number[]>();

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
/**
 * Opens a synthetic lockfile whose only `packages` entry is the edited one (see below), after a
 * filler string under the key "" (the root entry's key, which is never read as a dependency).
 */
const ENTRY_PREFIX = '{"lockfileVersion":3,"packages":{"":"';
const FILLER_END = '",';
/** Texts are compared this many characters at a time while looking for the edit. */
const CHUNK = 4096;

/** Length of the longest common prefix of a and b. */
function commonPrefix(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  let i = 0;
  // Equal slices compare natively; only the chunk holding the difference is walked.
  while (i + CHUNK <= shorter && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the longest common suffix of a and b that leaves `keep` characters of each. */
function commonSuffix(a: string, b: string, keep: number): number {
  const most = Math.min(a.length, b.length) - keep;
  let n = 0;
  while (n + CHUNK <= most && a.slice(a.length - n - CHUNK, a.length - n) === b.slice(b.length - n - CHUNK, b.length - n)) {
    n += CHUNK;
  }
  while (n < most && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

/** Whether text[from, to) could sit inside a JSON string without ending or escaping it. */
function plainStringText(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === QUOTE || c === BACKSLASH) return false;
  }
  return true;
}

/** Whether position a comes before position b. */
function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether `offset` falls inside a string token; JSON strings never span lines. */
function insideString(text: string, offset: number): boolean {
  let inside = false;
  for (let i = text.lastIndexOf('\n', offset - 1) + 1; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH && inside) i++;
    else if (c === QUOTE) inside = !inside;
  }
  return inside;
}

/**
 * The result of parsing `text` when it differs from `previous.text` only inside the strings of
 * one `packages` entry, on lines other than the entry's first and last: what typing in a
 * version, an integrity or a URL does. Only that entry is read again; every other dependency and
 * problem is kept (no line moves, and no other entry's columns do). Undefined when the edit is of
 * any other kind, and the caller parses the whole text. The result equals `parsePackageLock`'s
 * for the same text, which the tests check edit by edit.
 */
export function reparsePackageLock(
  previous: { text: string; result: ParseResult },
  text: string,
  options: ParseOptions,
): ParseResult | undefined {
  const old = previous.text;
  const spans = entrySpans.get(previous.result);
  if (!spans || !previous.result.ok || old === text) return undefined;

  // The edit: the text between the longest common prefix and the longest common suffix.
  const from = commonPrefix(old, text);
  const tail = commonSuffix(old, text, from);
  const oldEnd = old.length - tail;
  const newEnd = text.length - tail;
  if (!plainStringText(old, from, oldEnd) || !plainStringText(text, from, newEnd)) return undefined;
  if (!insideString(old, from)) return undefined;

  // The entry holding the edit, by binary search over entries in file order.
  let lo = 0;
  let hi = spans.length / 2 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[2 * mid] <= from) lo = mid;
    else hi = mid - 1;
  }
  const start = spans[2 * lo];
  const end = spans[2 * lo + 1];
  if (!(start < from && oldEnd < end)) return undefined;
  // Not on the key's line nor the closing brace's: those lines may hold other entries' text.
  const keyLineEnd = old.indexOf('\n', start);
  if (keyLineEnd < 0 || keyLineEnd > from || old.lastIndexOf('\n', end) < oldEnd) return undefined;
  const filler = start - ENTRY_PREFIX.length - FILLER_END.length;
  if (filler < 0 || old.charCodeAt(0) === 0xfeff) return undefined;

  // The entry alone, at its own offsets: a lockfile whose `packages` holds only it, after a
  // filler as long as the text before it, so that positions (and the line numbers in messages)
  // come from the whole text.
  const delta = text.length - old.length;
  const entryEnd = end + delta;
  const source = ENTRY_PREFIX + 'x'.repeat(filler) + FILLER_END
    + text.slice(start, entryEnd) + '}}';
  let root: LockObject | undefined;
  try {
    root = readValidJson(source, JSON.parse(source));
  } catch {
    return undefined;
  }
  if (!root) return undefined;
  const reader = new Reader(text, fileName(options));
  const entry = readLockfile(reader, root, true);
  if (entry.dependencies.length !== 1 || !entry.ok) return undefined;

  const index = lo;
  const dependencies = previous.result.dependencies.slice();
  dependencies[index] = entry.dependencies[0];
  // The entry's own problems are those that start inside its member; its first and last lines
  // may also hold problems of the root or of the entries before and after it, which stay.
  const { start: first, end: last } = previous.result.dependencies[index].range;
  const problems = previous.result.problems
    .filter(({ range: { start: at } }) => before(at, first) || !before(at, last))
    .concat(entry.problems);
  problems.sort((a, b) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const next: ParseResult = { ...previous.result, dependencies, problems };

  const moved = spans.slice();
  moved[2 * index + 1] += delta;
  for (let i = 2 * index + 2; i < moved.length; i++) moved[i] += delta;
  entrySpans.set(next, moved);
  return next;
}
