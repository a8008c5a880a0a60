import { LineIndex } from '../core/positions';
import type { Dependency, LockfileFormat, ParseProblem, ParseResult, Range } from '../core/types';
import type { PolicyLoad } from '../trust/policy';
import type { Evaluation } from '../trust/verdict';

/**
 * What the server knows of one open lockfile. When an edit breaks the file, `result` keeps the
 * last version that parsed and `brokenBy` holds the problems of the current text, so the
 * verdicts stay visible while the user finishes typing.
 */
export interface Analysis {
  uri: string;
  version: number;
  format: LockfileFormat;
  result: ParseResult;
  brokenBy?: ParseProblem[];
  /** The text `result` was read from, when it is this version's: the next edit starts there. */
  parsedText?: string;
  evaluations: Evaluation[];
  /** Where each entry's diagnostic goes: its first line (see `headRanges`). */
  heads: Range[];
  /** The policy that decided the verdicts; undefined while the ledger is unavailable. */
  policy?: PolicyLoad;
}

/** Parses the new text, keeping the last good result when it does not parse. */
export function nextResult(previous: Analysis | undefined, parsed: ParseResult): { result: ParseResult; brokenBy?: ParseProblem[] } {
  if (parsed.ok) return { result: parsed };
  const fatal = parsed.problems.filter((p) => p.severity === 'error');
  if (previous && previous.result.ok) return { result: previous.result, brokenBy: fatal };
  return { result: parsed };
}

export function entryIndexAt(deps: readonly Dependency[], dep: Dependency): number {
  return deps.indexOf(dep);
}

/** The lines of a text, as LineIndex reads them and an editor's open document holds them. */
export interface Lines {
  readonly lineCount: number;
  /** The line's text; what follows it (its line break) may be included. */
  lineText(line: number): string;
}

/**
 * The first line of each entry, where its diagnostic sits: a squiggle under a whole
 * twelve-line package-lock member or POM element hides the file; its first line names it.
 * Single-line entries (go.sum, Gemfile.lock) keep their whole range.
 *
 * `lines` gives the text's lines (called only when an entry needs one). `previous` is the last
 * analysis of the same document: an entry that is the very object it had there was left as it
 * was by the reparse (reparseLockfile keeps the object only for an entry whose text and lines
 * did not change), so its head is taken over instead of being found again.
 */
export function headRanges(
  deps: readonly Dependency[],
  lines: () => Lines,
  previous?: { dependencies: readonly Dependency[]; heads: readonly Range[] },
): Range[] {
  let read: Lines | undefined;
  const same = previous !== undefined && previous.heads.length === previous.dependencies.length;
  return deps.map((dep, i) => {
    const { range } = dep;
    if (range.start.line === range.end.line) return range;
    if (same && previous.dependencies[i] === dep) return previous.heads[i];
    read ??= lines();
    if (range.start.line >= read.lineCount) return range;
    const end = read.lineText(range.start.line).trimEnd().length;
    return { start: range.start, end: { line: range.start.line, character: Math.max(end, range.start.character) } };
  });
}

/** The lines of `text`, for headRanges. */
export function textLines(text: string): () => Lines {
  return () => new LineIndex(text);
}
