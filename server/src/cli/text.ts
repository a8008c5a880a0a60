import type { Verdict } from '../core/types';

/**
 * Makes text from a lockfile safe to print: control characters (ANSI escapes among them) are
 * shown as `\xNN` instead of reaching the terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) =>
    `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

const COLORS: Record<Verdict, number> = {
  trusted: 32,
  untrusted: 31,
  mismatch: 31,
  compromised: 31,
  unavailable: 31,
  unsupported: 33,
  unknown: 36,
  local: 90,
};

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

export function colorVerdict(verdict: Verdict, text: string, color: boolean): string {
  return color ? `\x1b[${COLORS[verdict]}m${text}\x1b[0m` : text;
}

/** Lays rows out in columns; the last column is not padded. */
export function table(rows: string[][], widthOf: (s: string) => number = (s) => s.length): string {
  const cellWidths = rows.map((row) => row.map(widthOf));
  const widths: number[] = [];
  for (const row of cellWidths) row.forEach((w, i) => (widths[i] = Math.max(widths[i] ?? 0, w)));
  return rows
    .map((row, r) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - cellWidths[r][i]))).join('  '))
    .join('\n');
}

/** Visible width, ignoring ANSI color sequences. */
export function visibleWidth(s: string): number {
  if (s.indexOf('\x1b') < 0) return s.length;
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** `118 trusted · 3 unknown · 1 untrusted`: the order a reader scans for trouble. */
export const VERDICT_ORDER: Verdict[] = ['trusted', 'unknown', 'unsupported', 'untrusted', 'mismatch', 'local', 'unavailable', 'compromised'];

export function summarize(counts: Partial<Record<Verdict, number>>): string {
  const parts = VERDICT_ORDER.filter((v) => counts[v]).map((v) => `${counts[v]} ${v}`);
  return parts.length ? parts.join(' · ') : 'no dependencies';
}

/**
 * Characters JSON may carry raw but a terminal or a reader's eye should not get: C1 controls
 * (U+009B starts an escape sequence on some terminals), bidirectional marks and overrides
 * (they reorder what is shown), line and paragraph separators.
 */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** JSON text with the characters above written as `\uXXXX` escapes: the same value when parsed. */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Writes stdout in pieces of about a megabyte: one string for a million-entry report would pass
 * the engine's largest string.
 */
export class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length) process.stdout.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
