// Property-based tests of the parsers on generated lockfiles: well-formed files whose names and
// versions are arbitrary Unicode (controls, bidi overrides, lone surrogates, astral characters),
// with random line ends and byte order marks. Each generated entry must come back as an entry
// with that name, or as a positioned problem; never silently dropped.
// Long run: DEPTRUST_FUZZ_RUNS=200000 node scripts/test.mjs test/fuzz
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { LockfileFormat, ParseResult } from '../../server/src/core/types';
import { fuzzRuns, fuzzSeed, newStats, parseTextChecked, report } from './harness';

const CI_RUNS = 2500;

/**
 * Any UTF-16 code unit but line breaks (a name is on one line), lone surrogates included: what
 * an editor may hand the server.
 */
const anyUnit = fc
  .integer({ min: 0, max: 0xffff })
  .filter((c) => c !== 0x0a && c !== 0x0d)
  .map((c) => String.fromCharCode(c));
const hostileChar = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '\u001b',
      '\u202e',
      '\u2066',
      '\u0000',
      '\u0085',
      '\u2028',
      '%',
      '/',
      '@',
      '#',
      '?',
    ),
    weight: 1,
  },
  { arbitrary: anyUnit, weight: 1 },
  {
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
      .filter((g) => !/[\r\n]/.test(g)),
    weight: 1,
  },
  { arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.'), weight: 4 },
);
const hostileName = fc.string({ unit: hostileChar, minLength: 1, maxLength: 24 });
const plainName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/);
const semver = fc.tuple(fc.nat(40), fc.nat(40), fc.nat(40)).map(([a, b, c]) => `${a}.${b}.${c}`);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const bom = fc.constantFrom('', '\ufeff');

interface Generated {
  text: string;
  /** Names that must each come back as an entry (plain names only). */
  expected: string[];
  count: number;
}

function lockfileOf(format: LockfileFormat): fc.Arbitrary<Generated> {
  const names = fc.uniqueArray(fc.oneof(plainName, hostileName), { minLength: 1, maxLength: 12 });
  return fc
    .tuple(names, fc.array(semver, { minLength: 12, maxLength: 12 }), lineEnd, bom)
    .map(([ns, versions, eol, mark]) => {
      const plain = ns.filter((n) => /^[a-z][a-z0-9_-]*$/.test(n));
      const body = render(format, ns, versions).join('\n');
      const text = mark + body.replace(/\n/g, eol);
      return { text, expected: plain, count: ns.length };
    });
}

const HASH = 'h1:' + 'A'.repeat(43) + '=';
const INTEGRITY = 'sha512-' + 'B'.repeat(86) + '==';
const xml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function render(format: LockfileFormat, names: string[], versions: string[]): string[] {
  switch (format) {
    case 'go-sum':
      return names.map((n, i) => `example.com/${n} v${versions[i]} ${HASH}`);
    case 'gemfile-lock':
      return [
        'GEM',
        '  remote: https://rubygems.org/',
        '  specs:',
        ...names.map((n, i) => `    ${n} (${versions[i]})`),
        '',
        'PLATFORMS',
        '  ruby',
        '',
        'DEPENDENCIES',
        ...names.map((n) => `  ${n}`),
        '',
      ];
    case 'package-lock': {
      const packages: Record<string, unknown> = { '': { name: 'root', version: '1.0.0' } };
      names.forEach((n, i) => {
        packages[`node_modules/${n}`] = {
          version: versions[i],
          resolved: `https://registry.npmjs.org/${n}/-/${n}-${versions[i]}.tgz`,
          integrity: INTEGRITY,
        };
      });
      return JSON.stringify(
        { name: 'root', lockfileVersion: 3, requires: true, packages },
        null,
        2,
      ).split('\n');
    }
    case 'pom':
      return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<project xmlns="http://maven.apache.org/POM/4.0.0">',
        '  <modelVersion>4.0.0</modelVersion>',
        '  <groupId>org.example</groupId><artifactId>root</artifactId><version>1</version>',
        '  <dependencies>',
        ...names.map(
          (n, i) =>
            `    <dependency><groupId>org.example</groupId><artifactId>${xml(n)}</artifactId>` +
            `<version>${versions[i]}</version></dependency>`,
        ),
        '  </dependencies>',
        '</project>',
      ];
  }
}

/** The name a parser reports for a generated entry called `n`. */
function shownName(format: LockfileFormat, n: string): string {
  if (format === 'go-sum') return `example.com/${n}`;
  if (format === 'pom') return `org.example:${n}`;
  return n;
}

function accountedFor(format: LockfileFormat, g: Generated, r: ParseResult): void {
  // A file broken as a whole (XML not well-formed: a NUL is no XML character) may stop early;
  // the harness has already checked it carries a positioned error.
  if (!r.ok) return;
  const names = new Set(r.dependencies.map((d) => d.name));
  for (const n of g.expected) {
    assert.ok(names.has(shownName(format, n)), `${JSON.stringify(n)} missing from the entries`);
  }
  // Hostile names: an entry, or a problem saying why not. Silence is the failure.
  const missing = g.count - r.dependencies.filter((d) => d.name !== 'root').length;
  if (missing > 0) assert.ok(r.problems.length > 0, `${missing} entries dropped without a problem`);
}

describe('generated lockfiles with hostile names, line ends and byte order marks', () => {
  for (const format of ['go-sum', 'gemfile-lock', 'package-lock', 'pom'] as LockfileFormat[]) {
    test(`${format}: every generated entry is reported or explained, purls round-trip`, () => {
      const stats = newStats(format);
      fc.assert(
        fc.property(lockfileOf(format), (g) => {
          const r = parseTextChecked(format, g.text, stats);
          accountedFor(format, g, r);
        }),
        { numRuns: fuzzRuns(CI_RUNS), seed: fuzzSeed() + 7 * format.length },
      );
      report(`generate ${format}`, stats);
      assert.equal(stats.crashes + stats.hangs, 0);
    });
  }
});

// Found by the property above: packageurl-js throws URIError on a lone surrogate, which an
// editor can send over LSP; the go.sum parser must report it, not throw.
test('go.sum: a module path with a lone surrogate gives a problem, not a throw', () => {
  const text = `example.com/\ud800 v0.0.0 ${HASH}\nexample.com/a v0.0.0 ${HASH}\n`;
  const r = parseTextChecked('go-sum', text, newStats('go-sum'));
  assert.deepEqual(
    r.dependencies.filter((d) => d.purl !== null).map((d) => d.name),
    ['example.com/a'],
  );
  assert.ok(r.problems.some((p) => p.range.start.line === 0));
});
