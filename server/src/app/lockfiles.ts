import * as fs from 'node:fs';
import type { LockfileFormat, ParseResult } from '../core/types';
import { detectFormat, parseLockfile } from '../parsers';

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
 * Decodes a lockfile's bytes. Everything but POMs is UTF-8 (a BOM is dropped); a POM may
 * declare another encoding in its XML declaration, which wins.
 */
export function decodeLockfile(bytes: Uint8Array, format: LockfileFormat | undefined): string {
  if (format === 'pom' || format === undefined) {
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
    const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    if (declared) {
      try {
        return new TextDecoder(declared[1].toLowerCase()).decode(bytes);
      } catch {
        // An encoding the platform does not know: fall through to UTF-8; the parser reports it.
      }
    }
  }
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
