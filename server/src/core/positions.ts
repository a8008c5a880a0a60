import type { Position, Range } from './types';

/**
 * Maps string offsets to LSP positions. JavaScript strings are UTF-16, so an offset into the
 * decoded text is already a UTF-16 count; only line starts need finding. Line breaks are
 * `\n`, `\r\n` and `\r`, as the LSP specification defines them.
 */
export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    // indexOf runs natively, several times faster than a loop over every character; text with a
    // `\r` (CRLF or a lone CR) takes the loop that knows every kind of line break.
    if (text.indexOf('\r') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, position.line)];
    return Math.min(start + Math.max(0, position.character), this.lineEnd(position.line));
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Offset of the first character of `line`. */
  lineStart(line: number): number {
    return this.starts[line];
  }

  /** Offset just past the last character of `line`, before its line break. */
  lineEnd(line: number): number {
    let end = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    if (end > this.starts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.starts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line], this.lineEnd(line));
  }
}

/** A range spanning the whole of one line's text. */
export function lineRange(index: LineIndex, line: number): Range {
  return {
    start: { line, character: 0 },
    end: { line, character: index.lineEnd(line) - index.lineStart(line) },
  };
}

/**
 * Positions of offsets asked mostly in increasing order (the entries of a lockfile, then what
 * is inside them), found by sweeping forward over line breaks instead of first listing every
 * line start as LineIndex does. An offset a little before the previous one is found by
 * stepping back; one far before it, or any offset in text with a `\r`, goes to a LineIndex
 * built on first need. Positions are those LineIndex gives.
 */
export class LineCursor {
  private line = 0;
  private lineStart = 0;
  /** Offset of the first `\n` at or after lineStart; -1 when there is none. */
  private nextBreak: number;
  private readonly hasCarriageReturn: boolean;
  private index: LineIndex | undefined;

  constructor(readonly text: string) {
    this.hasCarriageReturn = text.indexOf('\r') >= 0;
    this.nextBreak = this.hasCarriageReturn ? -1 : text.indexOf('\n');
  }

  /** How far back (in UTF-16 units) stepping back is cheaper than a LineIndex. */
  private static readonly STEP_BACK = 4096;

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    if (this.hasCarriageReturn || o < this.lineStart - LineCursor.STEP_BACK) {
      this.index ??= new LineIndex(this.text);
      return this.index.positionAt(o);
    }
    const text = this.text;
    while (o < this.lineStart) {
      // lineStart - 1 is the `\n` that ends the line before.
      this.nextBreak = this.lineStart - 1;
      this.lineStart = this.lineStart >= 2 ? text.lastIndexOf('\n', this.lineStart - 2) + 1 : 0;
      this.line--;
    }
    while (this.nextBreak >= 0 && this.nextBreak < o) {
      this.line++;
      this.lineStart = this.nextBreak + 1;
      this.nextBreak = text.indexOf('\n', this.lineStart);
    }
    return { line: this.line, character: o - this.lineStart };
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}
