import * as path from 'node:path';
import type { LockfileFormat, ParseResult } from '../core/types';
import { parseGemfileLock } from './gemfile/gemfileLock';
import { parseGoSum } from './gosum/goSum';
import { parsePom } from './maven/pom';
import { parsePackageLock, reparsePackageLock } from './npm/packageLock';
import type { ParseOptions, Parser } from './parser';

export const PARSERS: Record<LockfileFormat, Parser> = {
  'package-lock': parsePackageLock,
  'go-sum': parseGoSum,
  'gemfile-lock': parseGemfileLock,
  pom: parsePom,
};

/** File names each format is known by; the glob the editor and the workspace scan use. */
export const LOCKFILE_NAMES: Record<LockfileFormat, string[]> = {
  'package-lock': ['package-lock.json', 'npm-shrinkwrap.json'],
  'go-sum': ['go.sum', 'go.work.sum'],
  'gemfile-lock': ['Gemfile.lock', 'gems.locked'],
  pom: ['pom.xml'],
};

/** The format a file name implies, or undefined for names deptrust does not know. */
export function formatFromName(filePath: string): LockfileFormat | undefined {
  const base = path.basename(filePath);
  for (const [format, names] of Object.entries(LOCKFILE_NAMES) as Array<[LockfileFormat, string[]]>) {
    if (names.includes(base)) return format;
  }
  if (base.endsWith('.pom') || base.endsWith('.pom.xml')) return 'pom';
  if (base.endsWith('.go.sum')) return 'go-sum';
  if (/Gemfile\..*lock$|\.gemfile\.lock$|\.rb\.lock$/i.test(base)) return 'gemfile-lock';
  if (base.endsWith('package-lock.json')) return 'package-lock';
  return undefined;
}

/**
 * The format a file's content implies, for files named otherwise (test data, renamed copies).
 * Looks only at the start of the text.
 */
export function formatFromContent(text: string): LockfileFormat | undefined {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(head) && /"lockfileVersion"\s*:/.test(text.slice(0, 65536))) return 'package-lock';
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<project[\s>]/.test(head)) return 'pom';
  if (/^(GEM|GIT|PATH|PLUGIN SOURCE)\r?\n\s+remote:/m.test(head)) return 'gemfile-lock';
  if (/^\S+ v\S+ h1:[A-Za-z0-9+/=]+\r?$/m.test(head)) return 'go-sum';
  return undefined;
}

export function detectFormat(filePath: string, text: string): LockfileFormat | undefined {
  return formatFromName(filePath) ?? formatFromContent(text);
}

/** Whether a path is a lockfile of the project rather than one installed under node_modules. */
export function isProjectLockfile(filePath: string): boolean {
  return !filePath.split(/[\\/]/).includes('node_modules');
}

export function parseLockfile(format: LockfileFormat, text: string, options: ParseOptions): ParseResult {
  return PARSERS[format](text, options);
}

/**
 * The result for `text`, read from the result of an earlier version of it where the edit between
 * the two allows (package-lock.json: typing inside one entry's strings); otherwise a whole parse.
 * Either way the same result `parseLockfile` gives. An entry of the earlier result is handed
 * back as the same object only when its text and its lines are unchanged (the editor takes
 * over what it worked out for such an entry).
 */
export function reparseLockfile(
  format: LockfileFormat,
  previous: { text: string; result: ParseResult } | undefined,
  text: string,
  options: ParseOptions,
): ParseResult {
  if (previous && format === 'package-lock') {
    const result = reparsePackageLock(previous, text, options);
    if (result) return result;
  }
  return parseLockfile(format, text, options);
}
