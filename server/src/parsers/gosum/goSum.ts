import * as path from 'node:path';
import { golangPurl, golangPurls } from '../../core/purl';
import type {
  Dependency,
  ParseProblem,
  ParseResult,
  ProblemSeverity,
  Range,
} from '../../core/types';
import type { ParseOptions } from '../parser';
import { isBase64H1Hash, isCanonicalVersion, precedes } from './scan';

/*
 * go.sum and go.work.sum (Go Modules Reference, "go.sum files"): one line per checksum,
 * `<module> <version>[/go.mod] <hash>`, fields separated by spaces or tabs. A `/go.mod` line pins
 * only the module's go.mod file; a line without the suffix pins the module zip. The go command
 * rejects a line with another number of fields, so those are problems here, and every other
 * line is still read.
 *
 * Speed: a go.sum has tens of thousands of lines and almost no syntax, so the line the go
 * command writes (`module version hash`, single spaces, an `h1:` hash) is read by `readPlainLine`
 * with indexOf and character tests, no regular expression and no intermediate array. Any other
 * line goes to `readOddLine`, which does the general splitting and reports every problem; the
 * two must agree on every line the fast one accepts.
 */

const GO_MOD_SUFFIX = '/go.mod';

const GO_MOD_ONLY = 'only the go.mod file of this version is pinned: the go command reads it to '
  + 'select versions and never downloads this version\'s source';

const BAD_PATH_HINT = 'not a valid module path';

/** `h1:` is SHA-256 over the module's file list (golang.org/x/mod/sumdb/dirhash), base64. */
const H1 = /^h1:[A-Za-z0-9+/]{43}=$/;
/** Any other hash algorithm the go command may add later: `h<n>:<base64>`. */
const OTHER_HASH = /^h[0-9]+:[A-Za-z0-9+/]+={0,2}$/;

/** Lines git writes into a file with an unresolved merge conflict. */
const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(\s|$)/;

/** Versions are canonical semantic versions with a `v` (Go Modules Reference, "Versions"). */
const VERSION = /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** `h1:` and 43 base64 characters and `=`. */
const H1_LENGTH = 47;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/** The fields of one checksum line; one object reused for every line. */
interface SumLine {
  module: string;
  version: string;
  hash: string;
  checksumOf: 'zip' | 'go.mod';
}

/**
 * What the file says so far of one module version: the latest line of each kind (a repeated
 * line with another hash is a conflict with the latest one), its purl, and the go.mod lines
 * listed before any zip line, which stop being go.mod-only if a zip line comes later.
 */
interface ModuleVersion {
  module: string;
  version: string;
  purl: string | null;
  zip: Dependency | undefined;
  goMod: Dependency | undefined;
  pendingGoMod: number[] | undefined;
}

/**
 * The lines of one module, while the file lists modules in string order as the go command does
 * (then each module's lines are side by side). `versions` is built only once the module's
 * versions leave order; until then every version's lines are side by side too, and the latest
 * line's module version is all the lookup needed.
 */
interface ModuleRun {
  module: string;
  /** Index of the module's first dependency. */
  first: number;
  /** The orders the module's versions have kept so far. */
  order: number;
  purls: (version: string) => string;
  versions: Map<string, ModuleVersion> | undefined;
}

/** Semantic-version order, in which the go command writes a module's versions. */
const SEMVER_ORDER = 1;
/** String order of the versions, in which some other tools write them. */
const STRING_ORDER = 2;

class Reader {
  /** Problems of single lines, in line order. */
  readonly problems: ParseProblem[] = [];
  /** Problems found by comparing lines, reported after those of single lines. */
  readonly crossLine: ParseProblem[] = [];
  readonly dependencies: Dependency[] = [];
  malformed = 0;
  conflict = false;

  /** The module version of the latest checksum line. */
  last: ModuleVersion | undefined;
  /** The module of the latest checksum line, while modules come in order. */
  private run: ModuleRun | undefined;
  /** Every module version by `${module} ${version}`, once modules leave order. */
  private everything: Map<string, ModuleVersion> | undefined;

  constructor(readonly file: string) {}

  report(code: string, severity: ProblemSeverity, range: Range, what: string): void {
    const message = `${this.file} line ${range.start.line + 1}: ${what}`;
    this.problems.push({ code, severity, range, message });
  }

  private reportCrossLine(code: string, range: Range, what: string): void {
    const message = `${this.file} line ${range.start.line + 1}: ${what}`;
    this.crossLine.push({ code, severity: 'error', range, message });
  }

  /** Adds the dependency of one checksum line and checks it against earlier lines. */
  add(l: SumLine, range: Range): void {
    let mv = this.last;
    // Versions first: lines of one module follow each other, so modules are mostly equal.
    if (mv === undefined || mv.version !== l.version || mv.module !== l.module) {
      mv = this.moduleVersion(l.module, l.version);
      this.last = mv;
    }

    const earlier = l.checksumOf === 'zip' ? mv.zip : mv.goMod;
    if (earlier !== undefined && earlier.checksum !== l.hash) {
      const suffix = l.checksumOf === 'go.mod' ? GO_MOD_SUFFIX : '';
      this.reportCrossLine('GOSUM_CONFLICTING_HASH', range,
        `another hash for ${l.module}@${l.version}${suffix} than on line `
          + `${earlier.range.start.line + 1}; `
          + 'the go command refuses such a file (checksum mismatch)');
    }
    if (mv.purl === null) {
      this.reportCrossLine('GOSUM_BAD_MODULE_PATH', range,
        `${l.module}: not a module path the go command accepts (it is not well-formed text); `
          + 'this line cannot be checked');
    }

    const onlyGoMod = l.checksumOf === 'go.mod' && mv.zip === undefined;
    const dependency = moduleDependency(mv, l.hash, l.checksumOf, range, onlyGoMod);
    if (l.checksumOf === 'zip') {
      if (mv.pendingGoMod !== undefined) this.zipListedLate(mv);
      mv.zip = dependency;
    } else {
      if (onlyGoMod) (mv.pendingGoMod ??= []).push(this.dependencies.length);
      mv.goMod = dependency;
    }
    this.dependencies.push(dependency);
  }

  private moduleVersion(module: string, version: string): ModuleVersion {
    if (this.everything === undefined) {
      const run = this.run;
      if (run !== undefined && run.module === module) return this.versionOfRun(run, version);
      if (run === undefined || run.module < module) {
        const order = SEMVER_ORDER | STRING_ORDER;
        const purls = golangPurls(module);
        this.run = { module, first: this.dependencies.length, order, purls, versions: undefined };
        return newModuleVersion(module, version, purls);
      }
      this.everything = this.index(0, (d) => `${d.name} ${d.version}`);
    }
    return lookUp(this.everything, `${module} ${version}`, module, version);
  }

  /** A version of the latest line's module. */
  private versionOfRun(run: ModuleRun, version: string): ModuleVersion {
    if (run.versions === undefined) {
      const last = this.last!.version;
      if (!precedes(last, version)) run.order &= ~SEMVER_ORDER;
      if (!(last < version)) run.order &= ~STRING_ORDER;
      if (run.order !== 0) return newModuleVersion(run.module, version, run.purls);
      run.versions = this.index(run.first, (d) => d.version!);
    }
    return lookUp(run.versions, version, run.module, version, run.purls);
  }

  /**
   * The module versions of the dependencies from `first` on, by `keyOf`. Every module version
   * before `last` is complete in them: go.mod-only lines are those still marked so.
   */
  private index(first: number, keyOf: (d: Dependency) => string): Map<string, ModuleVersion> {
    const versions = new Map<string, ModuleVersion>();
    const last = this.last!;
    for (let i = first; i < this.dependencies.length; i++) {
      const d = this.dependencies[i];
      const key = keyOf(d);
      let mv = versions.get(key);
      if (mv === undefined) {
        mv = d.name === last.module && d.version === last.version ? last : {
          module: d.name, version: d.version!, purl: d.purl,
          zip: undefined, goMod: undefined, pendingGoMod: undefined,
        };
        versions.set(key, mv);
      }
      if (mv === last) continue;
      if (d.checksumOf === 'zip') mv.zip = d;
      else mv.goMod = d;
      if (d.source === 'gomod') (mv.pendingGoMod ??= []).push(i);
    }
    return versions;
  }

  /** The version's zip is listed after its go.mod lines: those are not go.mod-only after all. */
  private zipListedLate(mv: ModuleVersion): void {
    for (const i of mv.pendingGoMod!) {
      const d = this.dependencies[i];
      this.dependencies[i] = moduleDependency(mv, d.checksum!, 'go.mod', d.range, false);
    }
    mv.pendingGoMod = undefined;
  }
}

function lookUp(
  versions: Map<string, ModuleVersion>,
  key: string,
  module: string,
  version: string,
  purls?: (version: string) => string,
): ModuleVersion {
  let mv = versions.get(key);
  if (mv === undefined) {
    mv = newModuleVersion(module, version, purls);
    versions.set(key, mv);
  }
  return mv;
}

/**
 * A module version not seen before, with its purl from `purls` (the module's, when known); the
 * purl is null when the path cannot be one: packageurl-js percent-encodes with
 * encodeURIComponent, which throws on text that is not well-formed UTF-16 (a lone surrogate an
 * editor can send over LSP).
 */
function newModuleVersion(
  module: string,
  version: string,
  purls?: (version: string) => string,
): ModuleVersion {
  let purl: string | null;
  try {
    purl = purls === undefined ? golangPurl(module, version) : purls(version);
  } catch {
    purl = null;
  }
  return { module, version, purl, zip: undefined, goMod: undefined, pendingGoMod: undefined };
}

function moduleDependency(
  mv: ModuleVersion,
  hash: string,
  checksumOf: 'zip' | 'go.mod',
  range: Range,
  onlyGoMod: boolean,
): Dependency {
  const dependency: Dependency = {
    ecosystem: 'golang',
    name: mv.module,
    version: mv.version,
    purl: mv.purl,
    checksum: hash,
    checksums: [hash],
    checksumOf,
    range,
    source: onlyGoMod ? 'gomod' : 'registry',
  };
  if (mv.purl === null) dependency.hint = BAD_PATH_HINT;
  else if (onlyGoMod) dependency.hint = GO_MOD_ONLY;
  return dependency;
}

function wholeLine(line: number, length: number): Range {
  return { start: { line, character: 0 }, end: { line, character: length } };
}

/**
 * Reads the line the go command writes, `module version[/go.mod] h1:hash` with single spaces, no
 * tab, a valid version and hash, into `into`; false for any other line, which `readOddLine` then
 * reads. `start` and `end` bound the line's text without its line break and byte order mark.
 */
function readPlainLine(
  text: string,
  start: number,
  end: number,
  into: SumLine,
): boolean {
  const first = text.charCodeAt(start);
  // Lines starting with these may be merge conflict markers.
  if (first === 0x3c || first === 0x3d || first === 0x3e || first === 0x7c) return false;

  const afterModule = text.indexOf(' ', start);
  if (afterModule <= start || afterModule >= end) return false;
  const afterVersion = text.indexOf(' ', afterModule + 1);
  if (afterVersion <= afterModule + 1 || end - afterVersion - 1 !== H1_LENGTH) return false;
  if (!isBase64H1Hash(text, afterVersion + 1)) return false;

  const goMod = text.endsWith(GO_MOD_SUFFIX, afterVersion);
  const versionEnd = goMod ? afterVersion - GO_MOD_SUFFIX.length : afterVersion;
  if (!isCanonicalVersion(text, afterModule + 1, versionEnd)) return false;

  into.module = text.slice(start, afterModule);
  into.version = text.slice(afterModule + 1, versionEnd);
  into.hash = text.slice(afterVersion + 1, end);
  into.checksumOf = goMod ? 'go.mod' : 'zip';
  return true;
}

/** Splits any other line into a checksum line, or reports why it is none. */
function readOddLine(reader: Reader, text: string, range: Range, into: SumLine): boolean {
  if (CONFLICT_MARKER.test(text)) {
    reader.report('GOSUM_CONFLICT_MARKER', 'error', range,
      'merge conflict marker: resolve the conflict (or run `go mod tidy`) before the go command '
        + 'reads this file');
    reader.conflict = true;
    return false;
  }

  const fields = text.split(/[ \t]+/).filter((f) => f.length > 0);
  if (fields.length === 0) return false;
  if (fields.length !== 3) {
    reader.report('GOSUM_FIELD_COUNT', 'error', range,
      `expected 3 fields (\`<module> <version> <hash>\`), found ${fields.length}`);
    reader.malformed++;
    return false;
  }

  // LIMITATION: module paths are not checked against the go command's path rules
  // (golang.org/x/mod/module.CheckPath); a misspelt path is listed as written, never trusted by
  // mistake (its purl matches no record), but not flagged either.
  const [module, written, hash] = fields;
  const checksumOf = written.endsWith(GO_MOD_SUFFIX) ? 'go.mod' : 'zip';
  const version = checksumOf === 'go.mod' ? written.slice(0, -GO_MOD_SUFFIX.length) : written;
  if (!VERSION.test(version)) {
    reader.report('GOSUM_BAD_VERSION', 'error', range,
      `expected a version such as \`v1.2.3\` or \`v1.2.3${GO_MOD_SUFFIX}\`, found \`${written}\``);
    reader.malformed++;
    return false;
  }
  if (!H1.test(hash)) {
    if (OTHER_HASH.test(hash) && !hash.startsWith('h1:')) {
      // LIMITATION: only h1 hashes are compared; a line with a newer algorithm is not checked.
      reader.report('GOSUM_UNKNOWN_HASH', 'warning', range,
        `expected an \`h1:\` hash, found \`${hash.slice(0, hash.indexOf(':') + 1)}\`; `
          + 'this line is not checked');
    } else {
      reader.report('GOSUM_BAD_HASH', 'error', range,
        'expected `h1:` followed by 44 characters of base64 (a SHA-256), '
          + `found \`${hash.slice(0, 60)}\``);
    }
    reader.malformed++;
    return false;
  }
  into.module = module;
  into.version = version;
  into.hash = hash;
  into.checksumOf = checksumOf;
  return true;
}

/**
 * Reads a go.sum or go.work.sum: one dependency per checksum line, with the whole line as its
 * range. Never throws. A malformed line gives a problem on that line; `ok` is false only for
 * merge conflict markers and for text in which no line is a checksum line.
 *
 * Lines end at `\n`, `\r\n` or a lone `\r`, as LSP positions count them.
 */
export function parseGoSum(text: string, options: ParseOptions): ParseResult {
  const file = path.basename(options.path || '') || 'go.sum';
  const reader = new Reader(file);
  const fields: SumLine = { module: '', version: '', hash: '', checksumOf: 'zip' };

  // Where the next `\r` and tab are, found once per occurrence rather than once per line.
  let nextCr = text.indexOf('\r');
  let nextTab = text.indexOf('\t');
  let lineStart = 0;
  for (let line = 0; ; line++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (nextCr >= 0 && nextCr < lineStart) nextCr = text.indexOf('\r', lineStart);
    if (nextCr >= 0 && nextCr < lineEnd) lineEnd = nextCr;
    const breakLength = text.charCodeAt(lineEnd) === CR && text.charCodeAt(lineEnd + 1) === LF
      ? 2 : 1;

    const start = line === 0 && text.charCodeAt(0) === BOM ? 1 : 0;
    if (lineEnd > lineStart + start) {
      if (nextTab >= 0 && nextTab < lineStart) nextTab = text.indexOf('\t', lineStart);
      const hasTab = nextTab >= 0 && nextTab < lineEnd;
      const range = wholeLine(line, lineEnd - lineStart);
      const read = (!hasTab && readPlainLine(text, lineStart + start, lineEnd, fields))
        || readOddLine(reader, text.slice(lineStart + start, lineEnd), range, fields);
      if (read) reader.add(fields, range);
    }

    if (lineEnd >= text.length) break;
    lineStart = lineEnd + breakLength;
  }

  const { dependencies, malformed, conflict } = reader;
  if (dependencies.length === 0 && malformed > 0 && !conflict) {
    reader.report('GOSUM_NOT_GOSUM', 'error', wholeLine(0, 0),
      'no line of this file is a go.sum line (`<module> <version> h1:<hash>`)');
  }
  const problems = reader.crossLine.length > 0
    ? reader.problems.concat(reader.crossLine) : reader.problems;
  return {
    format: 'go-sum',
    ecosystem: 'golang',
    dependencies,
    problems,
    ok: !conflict && (dependencies.length > 0 || malformed === 0),
  };
}
