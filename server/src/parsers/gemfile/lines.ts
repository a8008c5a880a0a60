/**
 * The line grammar of a Gemfile.lock, as Bundler writes it (bundler/lib/bundler/lockfile_parser.rb
 * and lockfile_generator.rb): section headers at column 0, source options and DEPENDENCIES /
 * CHECKSUMS / PLATFORMS lines indented two spaces, specs four, a spec's requirements six.
 */

/** Sections that declare where gems come from; their specs are the lockfile's entries. */
export const SOURCE_SECTIONS = ['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE'] as const;
export type SourceSection = (typeof SOURCE_SECTIONS)[number];

/** The remote Bundler writes for rubygems.org, the default gem registry. */
export const RUBYGEMS_REMOTES = new Set([
  'https://rubygems.org',
  'https://rubygems.org/',
  'http://rubygems.org',
  'http://rubygems.org/',
]);

/** A `name (version[-platform])` spec, split into its parts with offsets into the line. */
export interface SpecLine {
  name: string;
  /** Column of the name's first character; the entry starts here. */
  start: number;
  /** Column just past the closing parenthesis (or the name, when there is no version). */
  end: number;
  /** Text between the parentheses, null when the line has none. */
  versionText: string | null;
  /** Column of the first character inside the parentheses. */
  versionStart: number;
}

/**
 * Reads a spec or CHECKSUMS line body starting at `column`: a name (no spaces), then optionally
 * one space and a parenthesised version. Returns undefined when the text is not of that shape.
 */
export function readSpec(line: string, column: number): SpecLine | undefined {
  let i = column;
  while (i < line.length && line[i] !== ' ' && line[i] !== '(' && line[i] !== '!') i++;
  if (i === column) return undefined;
  const name = line.slice(column, i);
  if (line[i] !== ' ' || line[i + 1] !== '(') {
    return { name, start: column, end: i, versionText: null, versionStart: i };
  }
  const close = line.indexOf(')', i + 2);
  if (close < 0) return undefined;
  return {
    name,
    start: column,
    end: close + 1,
    versionText: line.slice(i + 2, close),
    versionStart: i + 2,
  };
}

/**
 * Gem::Version's accepted form (rubygems/lib/rubygems/version.rb, ANCHORED_VERSION_PATTERN) for
 * an exact version: `^[0-9]+(?:\.[0-9a-zA-Z]+)*$`, tested character by character because every
 * spec line of a lockfile goes through it.
 */
export function isExactVersion(version: string): boolean {
  let i = 0;
  while (i < version.length && isDigit(version.charCodeAt(i))) i++;
  if (i === 0) return false;
  while (i < version.length) {
    if (version.charCodeAt(i) !== 0x2e) return false;
    const part = ++i;
    while (i < version.length && isAlphanumeric(version.charCodeAt(i))) i++;
    if (i === part) return false;
  }
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlphanumeric(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Counts leading spaces; tabs and other whitespace stop the count. */
export function indentation(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

/** git merge-conflict markers, which make a lockfile two lockfiles at once. */
export function isConflictMarker(line: string): boolean {
  return /^(?:<{7}|>{7}|\|{7})(?: |$)/.test(line) || /^={7}\s*$/.test(line);
}
