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

/**
 * The first line of each entry, where its diagnostic sits: a squiggle under a whole
 * twelve-line package-lock member or POM element hides the file; its first line names it.
 * Single-line entries (go.sum, Gemfile.lock) keep their whole range.
 */
export function headRanges(deps: readonly Dependency[], text: string): Range[] {
  const lines = new LineIndex(text);
  return deps.map(({ range }) => {
    if (range.start.line === range.end.line || range.start.line >= lines.lineCount) return range;
    const lineText = lines.lineText(range.start.line);
    const end = lineText.trimEnd().length;
    return { start: range.start, end: { line: range.start.line, character: Math.max(end, range.start.character) } };
  });
}
