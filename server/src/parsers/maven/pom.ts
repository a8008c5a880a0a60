import type { ParseResult } from '../../core/types';
import type { ParseOptions } from '../parser';

// Placeholder until the parser lands: reports that the format is not read yet.
export function parsePom(_text: string, _options: ParseOptions): ParseResult {
  return {
    format: 'pom',
    ecosystem: 'maven',
    dependencies: [],
    problems: [{ code: 'NOT_IMPLEMENTED', message: 'parser not written yet', severity: 'error', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }],
    ok: false,
  };
}
