// The checks every fuzzed parse must pass, shared by the parser fuzz tests.
//
// Contract under test (server/src/parsers/parser.ts): a parser never throws and returns
// entries and positioned problems. Here that means, for any bytes decoded as the app decodes
// them: no exception, an answer within parseLimitMs, every range inside the text (0-based
// LSP positions, UTF-16 columns, end not before start), every problem with a code and a
// message, `ok: false` only with an error to show, and every purl parseable by packageurl-js
// and serialised back to itself.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PackageURL } from 'packageurl-js';
import { decodeLockfile } from '../../server/src/app/lockfiles';
import { LineIndex } from '../../server/src/core/positions';
import type { LockfileFormat, ParseResult, Range } from '../../server/src/core/types';
import { parseLockfile } from '../../server/src/parsers';
import { sharedPath } from '../helpers/shared';

/**
 * A parse slower than this on a fuzzed input is counted as a hang: 2 s, plus 1 ms per KiB so
 * that megabyte-sized mutations (huge values) are held to at least 1 MB/s.
 */
export function parseLimitMs(chars: number): number {
  return 2000 + chars / 1024;
}

/** Purls already checked to round-trip; the same entries recur across mutated inputs. */
const roundTripped = new Set<string>();

/**
 * How many inputs each fuzz property tries. The default keeps CI fast; a long local run sets
 * DEPTRUST_FUZZ_RUNS (e.g. 200000) and, for a fresh sequence, DEPTRUST_FUZZ_SEED.
 */
export function fuzzRuns(ciDefault: number): number {
  const fromEnv = Number(process.env.DEPTRUST_FUZZ_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : ciDefault;
}

export function fuzzSeed(): number {
  const fromEnv = Number(process.env.DEPTRUST_FUZZ_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : 20261203;
}

/** Corpus folder of each format under ../shared/corpus, and the file name a parser is told. */
export const FORMATS: Record<LockfileFormat, { folder: string; fileName: string }> = {
  'package-lock': { folder: 'npm', fileName: 'package-lock.json' },
  'go-sum': { folder: 'go', fileName: 'go.sum' },
  'gemfile-lock': { folder: 'rubygems', fileName: 'Gemfile.lock' },
  pom: { folder: 'maven', fileName: 'pom.xml' },
};

/** The corpus files of a format, read in place from ../shared. */
export function seeds(format: LockfileFormat): Array<{ name: string; bytes: Uint8Array }> {
  const dir = sharedPath('corpus', FORMATS[format].folder);
  const files = fs
    .readdirSync(dir)
    .filter((f) => (format === 'go-sum' ? f.endsWith('.go.sum') : true))
    .sort();
  assert.ok(files.length > 0, `no corpus files for ${format} in ${dir}`);
  return files.map((name) => ({
    name,
    bytes: new Uint8Array(fs.readFileSync(path.join(dir, name))),
  }));
}

/** Figures of one fuzz property, printed for docs/RELIABILITY.md. */
export interface FuzzStats {
  format: LockfileFormat;
  inputs: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
  totalMs: number;
  withEntries: number;
  withErrors: number;
  withProblems: number;
}

export function newStats(format: LockfileFormat): FuzzStats {
  return {
    format,
    inputs: 0,
    crashes: 0,
    hangs: 0,
    slowestMs: 0,
    totalMs: 0,
    withEntries: 0,
    withErrors: 0,
    withProblems: 0,
  };
}

export function report(label: string, s: FuzzStats): void {
  const line =
    `fuzz ${label}: ${s.inputs} inputs, ${s.crashes} crashes, ${s.hangs} hangs, ` +
    `${s.withEntries} with entries, ${s.withErrors} with errors, ` +
    `${s.withProblems} with problems, ` +
    `slowest ${s.slowestMs.toFixed(1)} ms, total ${(s.totalMs / 1000).toFixed(1)} s`;
  process.stderr.write(line + '\n');
  const out = process.env.DEPTRUST_RELIABILITY_OUT;
  if (out) fs.appendFileSync(out, JSON.stringify({ kind: 'fuzz', label, ...s }) + '\n');
}

/** Decodes bytes as the app does, parses them, and checks the result's contract. */
export function parseBytesChecked(
  format: LockfileFormat,
  bytes: Uint8Array,
  stats: FuzzStats,
): ParseResult {
  return parseTextChecked(format, decodeLockfile(bytes, format), stats);
}

export function parseTextChecked(
  format: LockfileFormat,
  text: string,
  stats: FuzzStats,
): ParseResult {
  stats.inputs++;
  const filePath = path.join('/nonexistent-deptrust-fuzz', FORMATS[format].fileName);
  const started = performance.now();
  let result: ParseResult;
  try {
    result = parseLockfile(format, text, { path: filePath, readFile: () => undefined });
  } catch (err) {
    stats.crashes++;
    throw new Error(`${format} parser threw on a ${text.length}-char input: ${String(err)}`);
  }
  const ms = performance.now() - started;
  stats.totalMs += ms;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > parseLimitMs(text.length)) {
    stats.hangs++;
    assert.fail(`${format} parse of a ${text.length}-char input took ${ms.toFixed(0)} ms`);
  }
  checkResult(format, text, result);
  if (result.dependencies.length > 0) stats.withEntries++;
  if (result.problems.some((p) => p.severity === 'error')) stats.withErrors++;
  if (result.problems.length > 0) stats.withProblems++;
  return result;
}

export function checkResult(format: LockfileFormat, text: string, result: ParseResult): void {
  const index = new LineIndex(text);
  assert.equal(result.format, format);
  assert.ok(Array.isArray(result.dependencies) && Array.isArray(result.problems));
  for (const p of result.problems) {
    assert.ok(typeof p.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(p.code), `code ${p.code}`);
    assert.ok(typeof p.message === 'string' && p.message.length > 0, `empty message (${p.code})`);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(p.severity));
    checkRange(index, p.range, `problem ${p.code} "${p.message}"`);
  }
  if (!result.ok) {
    assert.ok(
      result.problems.some((p) => p.severity === 'error'),
      'a result marked not ok must carry an error to show',
    );
  }
  for (const d of result.dependencies) {
    assert.ok(typeof d.name === 'string', 'dependency name');
    checkRange(index, d.range, `entry ${JSON.stringify(d.name)}`);
    if (d.purl !== null && !roundTripped.has(d.purl)) {
      let reparsed: string;
      try {
        reparsed = PackageURL.fromString(d.purl).toString();
      } catch (err) {
        assert.fail(
          `purl ${JSON.stringify(d.purl)} of ${JSON.stringify(d.name)} does not parse: ${err}`,
        );
      }
      assert.equal(reparsed, d.purl, 'purl must round-trip through packageurl-js');
      if (roundTripped.size < 1_000_000) roundTripped.add(d.purl);
    }
  }
}

/** A range inside the text: lines exist, columns within their line, end not before start. */
export function checkRange(index: LineIndex, range: Range, what: string): void {
  const { start, end } = range;
  for (const [label, p] of [
    ['start', start],
    ['end', end],
  ] as const) {
    assert.ok(
      Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0,
      `${what}: ${label} ${JSON.stringify(p)} is not a 0-based position`,
    );
    assert.ok(
      p.line < index.lineCount,
      `${what}: ${label} line ${p.line} past the last line ${index.lineCount - 1}`,
    );
    const width = index.lineEnd(p.line) - index.lineStart(p.line);
    assert.ok(
      p.character <= width,
      `${what}: ${label} ${p.line}:${p.character} past the line's end (${width} UTF-16 units)`,
    );
  }
  const ordered =
    end.line > start.line || (end.line === start.line && end.character >= start.character);
  assert.ok(ordered, `${what}: end ${JSON.stringify(end)} before start ${JSON.stringify(start)}`);
}
