import type { LockfileFormat, ParseResult } from '../core/types';

export interface ParseOptions {
  /** Absolute path of the file, for messages and for finding related files (Maven parents). */
  path: string;
  /**
   * Reads another file (a parent POM) for the parser; undefined when it does not exist. The
   * language server passes open documents first, then the disk. Parsers never use the network.
   */
  readFile?: (absolutePath: string) => string | undefined;
}

/** A lockfile parser: never throws, returns entries and positioned problems. */
export type Parser = (text: string, options: ParseOptions) => ParseResult;

export interface FormatInfo {
  format: LockfileFormat;
  parse: Parser;
}

export type { LockfileFormat };
