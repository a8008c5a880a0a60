import * as path from 'node:path';
import { LineIndex, lineRange } from '../../core/positions';
import { golangPurl } from '../../core/purl';
import type {
  Dependency,
  ParseProblem,
  ParseResult,
  ProblemSeverity,
  Range,
} from '../../core/types';
import type { ParseOptions } from '../parser';

/*
 * go.sum and go.work.sum (Go Modules Reference, "go.sum files"): one line per checksum,
 * `<module> <version>[/go.mod] <hash>`, fields separated by spaces or tabs. A `/go.mod` line pins
 * only the module's go.mod file; a line without the suffix pins the module zip. The go command
 * rejects a line with another number of fields, so those are problems here, and every other
 * line is still read.
 */

const GO_MOD_SUFFIX = '/go.mod';

const GO_MOD_ONLY = 'only the go.mod file of this version is pinned: the go command reads it to '
  + 'select versions and never downloads this version\'s source';

/** `h1:` is SHA-256 over the module's file list (golang.org/x/mod/sumdb/dirhash), base64. */
const H1 = /^h1:[A-Za-z0-9+/]{43}=$/;
/** Any other hash algorithm the go command may add later: `h<n>:<base64>`. */
const OTHER_HASH = /^h[0-9]+:[A-Za-z0-9+/]+={0,2}$/;

/** Lines git writes into a file with an unresolved merge conflict. */
const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(\s|$)/;

/** Versions are canonical semantic versions with a `v` (Go Modules Reference, "Versions"). */
const VERSION = /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

interface SumLine {
  line: number;
  module: string;
  version: string;
  hash: string;
  checksumOf: 'zip' | 'go.mod';
}

/**
 * The purl of a line's module version; null when the path cannot be one: packageurl-js
 * percent-encodes with encodeURIComponent, which throws on text that is not well-formed UTF-16
 * (a lone surrogate an editor can send over LSP).
 */
function purlOf(l: SumLine): string | null {
  try {
    return golangPurl(l.module, l.version);
  } catch {
    return null;
  }
}

class Reader {
  readonly problems: ParseProblem[] = [];

  constructor(
    readonly index: LineIndex,
    readonly file: string,
  ) {}

  report(code: string, severity: ProblemSeverity, range: Range, what: string): void {
    const message = `${this.file} line ${range.start.line + 1}: ${what}`;
    this.problems.push({ code, severity, range, message });
  }
}

/** Splits one line into a checksum line, or reports why it is none. Blank lines give nothing. */
function readLine(reader: Reader, line: number): SumLine | 'blank' | 'malformed' | 'conflict' {
  let text = reader.index.lineText(line);
  if (line === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const range = lineRange(reader.index, line);

  if (CONFLICT_MARKER.test(text)) {
    reader.report('GOSUM_CONFLICT_MARKER', 'error', range,
      'merge conflict marker: resolve the conflict (or run `go mod tidy`) before the go command '
        + 'reads this file');
    return 'conflict';
  }

  const fields = text.split(/[ \t]+/).filter((f) => f.length > 0);
  if (fields.length === 0) return 'blank';
  if (fields.length !== 3) {
    reader.report('GOSUM_FIELD_COUNT', 'error', range,
      `expected 3 fields (\`<module> <version> <hash>\`), found ${fields.length}`);
    return 'malformed';
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
    return 'malformed';
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
    return 'malformed';
  }
  return { line, module, version, hash, checksumOf };
}

/**
 * Reads a go.sum or go.work.sum: one dependency per checksum line, with the whole line as its
 * range. Never throws. A malformed line gives a problem on that line; `ok` is false only for
 * merge conflict markers and for text in which no line is a checksum line.
 */
export function parseGoSum(text: string, options: ParseOptions): ParseResult {
  const file = path.basename(options.path || '') || 'go.sum';
  const index = new LineIndex(text);
  const reader = new Reader(index, file);

  const lines: SumLine[] = [];
  let malformed = 0;
  let conflict = false;
  for (let line = 0; line < index.lineCount; line++) {
    const read = readLine(reader, line);
    if (read === 'conflict') conflict = true;
    else if (read === 'malformed') malformed++;
    else if (read !== 'blank') lines.push(read);
  }

  // A version whose zip is never listed is only part of the module graph: the go command needs
  // its go.mod to select versions, and never downloads its source.
  const zipped = new Set<string>();
  const seen = new Map<string, SumLine>();
  for (const l of lines) if (l.checksumOf === 'zip') zipped.add(`${l.module} ${l.version}`);

  const dependencies: Dependency[] = [];
  for (const l of lines) {
    const key = `${l.module} ${l.version} ${l.checksumOf}`;
    const earlier = seen.get(key);
    const range = lineRange(index, l.line);
    if (earlier && earlier.hash !== l.hash) {
      const suffix = l.checksumOf === 'go.mod' ? GO_MOD_SUFFIX : '';
      reader.report('GOSUM_CONFLICTING_HASH', 'error', range,
        `another hash for ${l.module}@${l.version}${suffix} than on line ${earlier.line + 1}; `
          + 'the go command refuses such a file (checksum mismatch)');
    }
    seen.set(key, l);

    const onlyGoMod = !zipped.has(`${l.module} ${l.version}`);
    const purl = purlOf(l);
    if (!purl) {
      reader.report('GOSUM_BAD_MODULE_PATH', 'error', range,
        `${l.module}: not a module path the go command accepts (it is not well-formed text); `
          + 'this line cannot be checked');
    }
    dependencies.push({
      ecosystem: 'golang',
      name: l.module,
      version: l.version,
      purl,
      checksum: l.hash,
      checksums: [l.hash],
      checksumOf: l.checksumOf,
      range,
      source: onlyGoMod ? 'gomod' : 'registry',
      ...(onlyGoMod || !purl ? { hint: purl ? GO_MOD_ONLY : 'not a valid module path' } : {}),
    });
  }

  if (dependencies.length === 0 && malformed > 0 && !conflict) {
    reader.report('GOSUM_NOT_GOSUM', 'error', index.rangeOf(0, 0),
      'no line of this file is a go.sum line (`<module> <version> h1:<hash>`)');
  }
  return {
    format: 'go-sum',
    ecosystem: 'golang',
    dependencies,
    problems: reader.problems,
    ok: !conflict && (dependencies.length > 0 || malformed === 0),
  };
}
