import * as fs from 'node:fs';
import type { LockfileFormat, ParseResult } from '../core/types';
import { detectFormat, parseLockfile } from '../parsers';
import { decodePom } from '../parsers/maven/decode';

export interface LoadedLockfile {
  path: string;
  format: LockfileFormat;
  text: string;
  result: ParseResult;
}

export class LockfileError extends Error {
  constructor(
    readonly code: 'LOCKFILE_UNREADABLE' | 'LOCKFILE_UNKNOWN_FORMAT',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Decodes a lockfile's bytes. Everything but POMs is UTF-8 (a byte order mark is dropped); a
 * POM is decoded as an XML processor would, honouring its declared encoding.
 */
export function decodeLockfile(bytes: Uint8Array, format: LockfileFormat | undefined): string {
  if (format === 'pom' || (format === undefined && bytes[0] !== 0x7b)) return decodePom(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Reads, detects and parses one lockfile from disk. */
export function loadLockfile(filePath: string, forced?: LockfileFormat): LoadedLockfile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (err) {
    throw new LockfileError('LOCKFILE_UNREADABLE', `${filePath}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const guess = forced ?? detectFormat(filePath, bytes.subarray(0, 65536).toString('latin1'));
  const text = decodeLockfile(bytes, guess);
  const format = forced ?? detectFormat(filePath, text);
  if (!format) {
    throw new LockfileError(
      'LOCKFILE_UNKNOWN_FORMAT',
      `${filePath}: not a lockfile deptrust reads (package-lock.json, go.sum, Gemfile.lock, pom.xml)`,
    );
  }
  const result = parseLockfile(format, text, { path: filePath, readFile: readIfExists });
  return { path: filePath, format, text, result };
}

function readIfExists(p: string): string | undefined {
  try {
    return decodeLockfile(fs.readFileSync(p), 'pom');
  } catch {
    return undefined;
  }
}
