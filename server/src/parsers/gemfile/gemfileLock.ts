import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  Dependency,
  ParseProblem,
  ParseResult,
  ProblemSeverity,
  Range,
} from '../../core/types';
import { formatPurl, gemPurl } from '../../core/purl';
import type { ParseOptions } from '../parser';
import {
  RUBYGEMS_REMOTES,
  SOURCE_SECTIONS,
  type SourceSection,
  indentation,
  isConflictMarker,
  isExactVersion,
  readSpec,
} from './lines';

/** Message of the `details.related` item that points at an entry's CHECKSUMS line. */
export const CHECKSUM_RELATED_MESSAGE = 'checksum in CHECKSUMS';

const BOM = 0xfeff;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const OPEN = 0x28;
const BANG = 0x21;

/** Stronger algorithms first: the one `Dependency.checksum` shows when a line has several. */
const ALGORITHM_STRENGTH = ['sha512', 'sha384', 'sha256', 'sha1', 'md5'];

interface Source {
  section: SourceSection;
  line: number;
  lineLength: number;
  options: Map<string, string>;
  remotes: string[];
  /** Set once the section's missing `revision:` has been reported. */
  reportedNoRevision?: boolean;
  /** The purl qualifiers the section gives every gem (`otherQualifiers`), once worked out. */
  qualifiers?: Record<string, string> | null;
}

interface ChecksumLine {
  line: number;
  lineLength: number;
  /** Column where the first checksum starts and where the field ends. */
  start: number;
  end: number;
  checksums: string[];
}

/**
 * Parses a Gemfile.lock (Bundler 1.x to 2.6+ layouts): one entry per spec line of every GEM,
 * GIT, PATH and PLUGIN SOURCE section, with the checksums of its CHECKSUMS line attached.
 * Never throws; broken lines become positioned problems.
 */
export function parseGemfileLock(text: string, options: ParseOptions): ParseResult {
  const uri = fileUri(options.path);
  const file = path.basename(options.path) || 'Gemfile.lock';
  const dependencies: Dependency[] = [];
  const problems: ParseProblem[] = [];
  const report = (code: string, severity: ProblemSeverity, range: Range, message: string): void => {
    problems.push({ code, severity, range, message });
  };

  let ok = true;
  let section: string | undefined;
  let source: Source | undefined;
  let sawSource = false;
  // Every spec's entry and the text between its parentheses, for matching CHECKSUMS lines.
  const specDependencies: Dependency[] = [];
  const specVersions: Array<string | null> = [];
  const checksumLines = new Map<string, ChecksumLine>();

  // Lines end at `\n`, `\r\n` or a lone `\r`, as LSP positions count them. Where the next `\r`
  // and tab are is found once per occurrence rather than once per line.
  let nextCr = text.indexOf('\r');
  let nextTab = text.indexOf('\t');
  let firstLineLength = 0;
  let lineStart = 0;
  for (let line = 0; ; line++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (nextCr >= 0 && nextCr < lineStart) nextCr = text.indexOf('\r', lineStart);
    if (nextCr >= 0 && nextCr < lineEnd) lineEnd = nextCr;
    if (line === 0) firstLineLength = lineEnd;

    // A byte order mark is text before the first header; columns after it shift by one.
    const offset = line === 0 && text.charCodeAt(0) === BOM ? 1 : 0;
    const start = lineStart + offset;
    if (nextTab >= 0 && nextTab < lineStart) nextTab = text.indexOf('\t', lineStart);
    const plain = nextTab < 0 || nextTab >= lineEnd;
    const read = lineEnd === start
      || (plain && source !== undefined && readPlainSourceLine(start, lineEnd, line, offset));
    if (!read) readLine(text.slice(start, lineEnd), line, offset, lineEnd - lineStart);

    if (lineEnd >= text.length) break;
    const crlf = text.charCodeAt(lineEnd) === CR && text.charCodeAt(lineEnd + 1) === LF;
    lineStart = lineEnd + (crlf ? 2 : 1);
  }

  attachChecksums();

  if (!sawSource && ok) {
    report(
      'GEMFILE_NO_SOURCES',
      'warning',
      wholeLine(0, firstLineLength),
      `${file}: no GEM, GIT, PATH or PLUGIN SOURCE section; no gem is pinned here`,
    );
  }

  return { format: 'gemfile-lock', ecosystem: 'gem', dependencies, problems, ok };

  /**
   * Reads the lines a source section is mostly made of, as Bundler writes them, on the text in
   * place: a requirement (six spaces) and a spec `name (version)` (four spaces), without tabs or
   * trailing blanks. False for any other line, which `readLine` then reads; the two agree on
   * every line this one accepts.
   */
  function readPlainSourceLine(start: number, end: number, line: number, offset: number): boolean {
    let indent = 0;
    while (text.charCodeAt(start + indent) === SPACE) indent++;
    if (start + indent >= end || !isVisibleAscii(text.charCodeAt(start + indent))
      || !isVisibleAscii(text.charCodeAt(end - 1))) {
      return false;
    }
    if (indent === 6) return true; // a requirement of the spec above, never an entry
    if (indent !== 4) return false;

    // As readSpec: the name runs to a space, `(` or `!`; then ` (`, the version and `)`.
    let nameEnd = start + 4;
    while (nameEnd < end) {
      const c = text.charCodeAt(nameEnd);
      if (c === SPACE || c === OPEN || c === BANG) break;
      nameEnd++;
    }
    if (nameEnd === start + 4 || nameEnd >= end || text.charCodeAt(nameEnd) !== SPACE
      || text.charCodeAt(nameEnd + 1) !== OPEN) {
      return false;
    }
    const close = text.indexOf(')', nameEnd + 2);
    if (close !== end - 1) return false;

    const range = {
      start: { line, character: 4 + offset },
      end: { line, character: end - start + offset },
    };
    const versionText = text.slice(nameEnd + 2, close);
    addSpec(source!, text.slice(start + 4, nameEnd), versionText, range, line);
    return true;
  }

  /** Reads any line but the empty one, `content` being its text after a byte order mark. */
  function readLine(content: string, line: number, offset: number, length: number): void {
    if (isConflictMarker(content)) {
      ok = false;
      report(
        'GEMFILE_CONFLICT_MARKER',
        'error',
        wholeLine(line, length),
        `${file} line ${line + 1}: git merge-conflict marker; resolve the conflict ` +
          'and run `bundle lock` again',
      );
      return;
    }
    if (content.trim() === '') return;

    const indent = indentation(content);
    if (indent === 0) {
      if (/^\s/.test(content)) {
        report(
          'GEMFILE_BAD_INDENT',
          'warning',
          wholeLine(line, length),
          `${file} line ${line + 1}: expected spaces for indentation, found a tab`,
        );
        return;
      }
      section = content.trimEnd();
      const known = (SOURCE_SECTIONS as readonly string[]).includes(section);
      source = known ? {
        section: section as SourceSection,
        line,
        lineLength: length,
        options: new Map(),
        remotes: [],
      } : undefined;
      if (source) sawSource = true;
      return;
    }
    if (/^ *\t/.test(content)) {
      report(
        'GEMFILE_BAD_INDENT',
        'warning',
        wholeLine(line, length),
        `${file} line ${line + 1}: expected spaces for indentation, found a tab`,
      );
      return;
    }

    if (source) {
      readSourceLine(content, line, indent, offset, length);
    } else if (section === 'CHECKSUMS' && indent === 2) {
      readChecksumLine(content, line, offset, length);
    } else if (section === 'DEPENDENCIES' && indent === 2) {
      const spec = readSpec(content, 2);
      if (!spec || !/^!?$/.test(content.slice(spec.end).trimEnd())) {
        report(
          'GEMFILE_BAD_DEPENDENCY',
          'warning',
          wholeLine(line, length),
          `${file} line ${line + 1}: expected \`name\`, \`name (requirement)\` or a ` +
            'trailing `!` in DEPENDENCIES',
        );
      }
    }
    // Other sections (PLATFORMS, RUBY VERSION, BUNDLED WITH and any Bundler adds later) hold
    // no entries; Bundler skips sections it does not know, and so does this parser.
  }

  function readSourceLine(
    content: string,
    line: number,
    indent: number,
    offset: number,
    length: number,
  ): void {
    const s = source!;
    if (indent === 2) {
      const m = /^ {2}([A-Za-z_][\w-]*):(?: (.*))?$/.exec(content.trimEnd());
      if (!m) {
        report(
          'GEMFILE_BAD_OPTION',
          'warning',
          wholeLine(line, length),
          `${file} line ${line + 1}: expected \`key: value\` in the ${s.section} section`,
        );
        return;
      }
      const value = (m[2] ?? '').trim();
      if (m[1] === 'remote') s.remotes.push(value);
      if (!s.options.has(m[1])) s.options.set(m[1], value);
      s.qualifiers = undefined;
      return;
    }
    if (indent === 6) return; // a requirement of the spec above, never an entry
    if (indent !== 4) {
      report(
        'GEMFILE_BAD_INDENT',
        'warning',
        wholeLine(line, length),
        `${file} line ${line + 1}: expected a spec indented 4 spaces or a requirement ` +
          `indented 6, found ${indent}`,
      );
      return;
    }

    const trimmed = content.trimEnd();
    const spec = readSpec(trimmed, 4);
    if (!spec || spec.end !== trimmed.length) {
      report(
        'GEMFILE_BAD_SPEC',
        'error',
        wholeLine(line, length),
        `${file} line ${line + 1}: expected a spec \`name (version)\` or ` +
          '`name (version-platform)`',
      );
      return;
    }
    const range = {
      start: { line, character: spec.start + offset },
      end: { line, character: spec.end + offset },
    };
    addSpec(s, spec.name, spec.versionText, range, line);
  }

  function addSpec(
    s: Source,
    name: string,
    versionText: string | null,
    range: Range,
    line: number,
  ): void {
    dependencies.push(specDependency(s, name, versionText, range, line));
    specDependencies.push(dependencies[dependencies.length - 1]);
    specVersions.push(versionText);
  }

  function specDependency(
    s: Source,
    name: string,
    versionText: string | null,
    range: Range,
    line: number,
  ): Dependency {
    // Everything after the first `-` is the platform (Bundler's LockfileParser does the same; a
    // gem version never contains `-`).
    const dash = versionText === null ? -1 : versionText.indexOf('-');
    const version = dash < 0 ? versionText : versionText!.slice(0, dash);
    const platform = dash < 0 ? undefined : versionText!.slice(dash + 1);
    const details: NonNullable<Dependency['details']> = { section: s.section };
    if (platform !== undefined) details.platform = platform;
    const revision = s.options.get('revision');
    if (s.section === 'GIT' && revision) details.commit = revision;
    const kind = s.section === 'GIT' ? 'git' : s.section === 'PATH' ? 'local' : 'registry';
    const dep: Dependency = {
      ecosystem: 'gem',
      name,
      version: null,
      purl: null,
      checksum: null,
      checksums: [],
      range,
      source: kind,
      details,
    };

    if (version === null) {
      dep.hint = 'the spec line has no (version); Bundler cannot install it as written';
      report(
        'GEMFILE_SPEC_NO_VERSION',
        'warning',
        range,
        `${file} line ${line + 1}: expected \`${name} (version)\`; the spec has no version`,
      );
      return dep;
    }
    if (!isExactVersion(version)) {
      dep.hint = `\`${versionText}\` is not an exact gem version`;
      report(
        'GEMFILE_BAD_VERSION',
        'warning',
        range,
        `${file} line ${line + 1}: expected an exact version such as 1.2.3, found ` +
          `\`${versionText}\``,
      );
      return dep;
    }

    dep.version = version;
    if (kind === 'local') {
      const where = s.options.get('remote') || '.';
      dep.hint = `local gem from the path \`${where}\`: part of this project, not a registry gem`;
      return dep;
    }
    if (s.section === 'GIT' && !revision) {
      dep.hint = 'the GIT section names no `revision:`, so the commit is unknown';
      if (s.reportedNoRevision) return dep;
      s.reportedNoRevision = true;
      report(
        'GEMFILE_GIT_NO_REVISION',
        'warning',
        wholeLine(s.line, s.lineLength),
        `${file} line ${s.line + 1}: expected \`revision:\` in the GIT section`,
      );
      return dep;
    }
    try {
      dep.purl = specPurl(s, name, version, platform);
    } catch {
      // packageurl-js percent-encodes with encodeURIComponent, which throws on text that is not
      // well-formed UTF-16 (a lone surrogate an editor can send); such a gem has no purl.
      dep.hint = 'the gem name, version or source cannot be written as a package URL';
      report(
        'GEMFILE_BAD_NAME',
        'warning',
        range,
        `${file} line ${line + 1}: expected a gem name of well-formed Unicode text`,
      );
    }
    return dep;
  }

  function readChecksumLine(content: string, line: number, offset: number, length: number): void {
    const trimmed = content.trimEnd();
    const spec = readSpec(trimmed, 2);
    const rest = spec ? trimmed.slice(spec.end) : '';
    if (!spec || spec.versionText === null || (rest !== '' && !rest.startsWith(' '))) {
      report(
        'GEMFILE_BAD_CHECKSUM',
        'warning',
        wholeLine(line, length),
        `${file} line ${line + 1}: expected \`name (version) algorithm=digest\` in CHECKSUMS`,
      );
      return;
    }
    const field = rest.trim();
    const checksums = field === '' ? [] : field.split(',');
    if (checksums.some((c) => !/^[a-z0-9]+=[A-Za-z0-9+/_=-]+$/i.test(c))) {
      report(
        'GEMFILE_BAD_CHECKSUM',
        'warning',
        wholeLine(line, length),
        `${file} line ${line + 1}: expected comma-separated \`algorithm=digest\` items`,
      );
      return;
    }
    const start = field === '' ? spec.end : spec.end + rest.indexOf(field[0]);
    const entry = {
      line, lineLength: length, start: start + offset, end: trimmed.length + offset, checksums,
    };
    const key = checksumKey(spec.name, spec.versionText);
    const earlier = checksumLines.get(key);
    if (!earlier) {
      checksumLines.set(key, entry);
      return;
    }
    // Bundler raises a SecurityError when one gem is listed twice with different digests; the
    // entry keeps every digest, so a ledger record agrees with at most one and shows a mismatch.
    const added = checksums.filter((c) => !earlier.checksums.includes(c));
    if (added.length > 0) {
      earlier.checksums.push(...added);
      report(
        'GEMFILE_CHECKSUM_CONFLICT',
        'error',
        wholeLine(line, length),
        `${file} line ${line + 1}: ${spec.name} (${spec.versionText}) is listed again ` +
          `with other checksums than on line ${earlier.line + 1}`,
      );
    }
  }

  function attachChecksums(): void {
    if (checksumLines.size === 0) return;
    const used = new Set<string>();
    for (let i = 0; i < specDependencies.length; i++) {
      const dep = specDependencies[i];
      const key = checksumKey(dep.name, specVersions[i]);
      const found = checksumLines.get(key);
      if (!found) continue;
      used.add(key);
      if (found.checksums.length === 0) continue;
      dep.checksums = found.checksums.slice();
      dep.checksum = strongest(found.checksums);
      const related = dep.details!.related ?? [];
      related.push({
        uri,
        range: {
          start: { line: found.line, character: found.start },
          end: { line: found.line, character: found.end },
        },
        message: CHECKSUM_RELATED_MESSAGE,
      });
      dep.details!.related = related;
    }
    for (const [key, found] of checksumLines) {
      if (used.has(key)) continue;
      report(
        'GEMFILE_CHECKSUM_UNUSED',
        'information',
        wholeLine(found.line, found.lineLength),
        `${file} line ${found.line + 1}: CHECKSUMS lists a gem that no spec pins`,
      );
    }
  }
}

/** CHECKSUMS lines are matched to specs by name, version and platform, as Bundler does. */
function checksumKey(name: string, versionText: string | null): string {
  return `${name} ${versionText ?? ''}`;
}

function strongest(checksums: string[]): string {
  const rank = (c: string): number => {
    const at = ALGORITHM_STRENGTH.indexOf(c.slice(0, c.indexOf('=')).toLowerCase());
    return at < 0 ? ALGORITHM_STRENGTH.length : at;
  };
  return checksums.reduce((best, c) => (rank(c) < rank(best) ? c : best));
}

/**
 * The purl of a spec (purl-spec, types `gem`): platform as the `platform` qualifier, a GIT
 * source's remote and commit as `vcs_url`, and a gem server other than rubygems.org as
 * `repository_url`, so that a record for the rubygems.org gem never vouches for a same-named gem
 * from elsewhere.
 */
function specPurl(s: Source, name: string, version: string, platform?: string): string {
  if (s.qualifiers === undefined) s.qualifiers = sourceQualifiers(s);
  if (s.qualifiers === null) return gemPurl(name, version, platform);
  const qualifiers = { ...s.qualifiers };
  if (platform && platform !== 'ruby') qualifiers.platform = platform;
  return formatPurl('gem', undefined, name, version, qualifiers);
}

/** The qualifiers every gem of a source section gets; null for rubygems.org. */
function sourceQualifiers(s: Source): Record<string, string> | null {
  if (s.section === 'GIT') {
    const remote = s.options.get('remote') ?? '';
    const scheme = remote.startsWith('git+') ? '' : 'git+';
    return { vcs_url: `${scheme}${remote}@${s.options.get('revision')}` };
  }
  // LIMITATION: a GEM section with several `remote:` lines (Bundler 1.x) does not say which
  // remote served a gem; the first non-rubygems.org remote is named, so a gem that actually
  // came from rubygems.org shows no record until it is notarized under that purl.
  const other = s.remotes.find((r) => r !== '' && !RUBYGEMS_REMOTES.has(r));
  if (other) return { repository_url: other };
  if (s.section === 'PLUGIN SOURCE') {
    return { repository_url: s.options.get('type') ? `plugin:${s.options.get('type')}` : 'plugin' };
  }
  return null;
}

function wholeLine(line: number, length: number): Range {
  return { start: { line, character: 0 }, end: { line, character: length } };
}

/** Printable ASCII other than the space: a character no trim removes and no marker starts. */
function isVisibleAscii(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

function fileUri(filePath: string): string {
  try {
    return pathToFileURL(filePath).href;
  } catch {
    return filePath;
  }
}
