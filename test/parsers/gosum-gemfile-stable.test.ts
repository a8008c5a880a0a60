// The go.sum and Gemfile.lock parsers read the common line on a fast path and every other line
// through the general reader. These tests hold the two paths to the same answer, field by field,
// on the real files in ../shared, the fixtures and seeded hostile inputs, and check the go.sum
// grouping (go.mod-only lines, conflicting hashes) against a plain model written here.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PackageURL } from 'packageurl-js';
import type { ParseResult } from '../../server/src/core/types';
import { parseGemfileLock } from '../../server/src/parsers/gemfile/gemfileLock';
import { parseGoSum } from '../../server/src/parsers/gosum/goSum';
import { sharedPath } from '../helpers/shared';
import { seededRandom } from '../helpers/random';

const FIXTURES = path.join(__dirname, 'fixtures');

function files(dir: string, keep: (name: string) => boolean = () => true): string[] {
  return fs.readdirSync(dir).filter(keep).sort().map((f) => path.join(dir, f));
}

function goSumFiles(): string[] {
  return [
    ...files(sharedPath('corpus', 'go'), (f) => f.endsWith('.go.sum')),
    ...files(sharedPath('bench', 'go')),
    ...files(path.join(FIXTURES, 'gosum')),
  ];
}

function gemfileLockFiles(): string[] {
  return [
    ...files(sharedPath('corpus', 'rubygems')),
    ...files(sharedPath('bench', 'rubygems')),
    ...files(path.join(FIXTURES, 'gemfile')),
  ];
}


const HASH_A = `h1:${'A'.repeat(43)}=`;
const HASH_B = `h1:${'B'.repeat(43)}=`;
const HASH_C = `h1:${'c+/9'.repeat(10)}xyz=`;

/** Text that has broken line readers elsewhere, inserted at random places. */
const HOSTILE = ['\t', '\r', '\r\n', ' ', '  ', '\uFEFF', '\u00a0', '\u2028', '\ud800', '\udc00',
  '\ud83d\ude00', 'é', '<<<<<<< HEAD', '=======', '>>>>>>> theirs', '(', ')', '!', '-', '+',
  '/go.mod', 'h1:', 'h2:', '=', 'x'.repeat(70000)];

/** Lines made hostile one character, field or line at a time. */
function mutate(text: string, next: () => number, extraLines: string[]): string {
  const lines = text.split('\n');
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
  for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
    const i = Math.floor(next() * lines.length);
    const line = lines[i];
    const at = Math.floor(next() * (line.length + 1));
    switch (Math.floor(next() * 7)) {
      case 0: lines[i] = line.slice(0, at) + pick(HOSTILE) + line.slice(at); break;
      case 1: lines[i] = line.slice(0, at) + line.slice(at + 1 + Math.floor(next() * 4)); break;
      case 2: lines.splice(i, 0, line); break;
      case 3: lines.splice(i, 0, pick(extraLines)); break;
      case 4: lines[i] = `${line}${pick([' ', '\t', '  '])}`; break;
      case 5: lines[i] = line.slice(0, at); break;
      default: lines[i] = line.replace(/ /g, pick(['  ', '\t', ' \t'])); break;
    }
  }
  return lines.join('\n');
}

// --- go.sum -------------------------------------------------------------------------------

const GO_LINES = [
  `a.example/m v1.0.0 ${HASH_A}`,
  `a.example/m v1.0.0/go.mod ${HASH_B}`,
  `a.example/m v1.0.0 ${HASH_C}`,
  `b.example/Upper_case~x v2.0.0+incompatible ${HASH_A}`,
  `b.example/é v0.0.0-20200101000000-abcdefabcdef ${HASH_A}`,
  `b.example/m v1.0.0 h2:${'A'.repeat(43)}=`,
  `b.example/m v1.0.0 h1:short`,
  `<<<<<<< HEAD`,
  `b.example/m v1 ${HASH_A}`,
];

/** The same go.sum with every space a tab: fields split the same, the general reader reads it. */
function goSumGeneralTwin(text: string): string {
  return text.replace(/ /g, '\t');
}

function goSumInputs(): Array<{ label: string; text: string }> {
  const inputs: Array<{ label: string; text: string }> = [];
  const next = seededRandom(20261203);
  for (const file of goSumFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const label = path.basename(file);
    inputs.push({ label, text });
    inputs.push({ label: `${label} CRLF`, text: text.replace(/\n/g, '\r\n') });
    inputs.push({ label: `${label} lone CR`, text: text.replace(/\n/g, '\r') });
    inputs.push({ label: `${label} BOM`, text: `\uFEFF${text}` });
    inputs.push({ label: `${label} reversed`, text: text.split('\n').reverse().join('\n') });
    const head = text.slice(0, 8000);
    for (let i = 0; i < 40; i++) {
      inputs.push({ label: `${label} mutation ${i}`, text: mutate(head, next, GO_LINES) });
    }
  }
  return inputs;
}

test('go.sum: the fast path and the general reader give the same result, field by field', () => {
  let lines = 0;
  for (const { label, text } of goSumInputs()) {
    const fast = parseGoSum(text, { path: '/p/go.sum' });
    const general = parseGoSum(goSumGeneralTwin(text), { path: '/p/go.sum' });
    assert.deepStrictEqual(fast, general, label);
    lines += fast.dependencies.length;
  }
  assert.ok(lines > 10000, `only ${lines} entries compared`);
});

/** Which lines the go command's rules make go.mod-only or conflicting, computed naively. */
function goSumModel(lines: string[][]): {
  sources: string[];
  conflicts: Array<[number, number]>;
} {
  const zipped = new Set(lines.filter((l) => l[2] === 'zip').map((l) => `${l[0]} ${l[1]}`));
  const latest = new Map<string, number>();
  const conflicts: Array<[number, number]> = [];
  lines.forEach((l, i) => {
    const key = `${l[0]} ${l[1]} ${l[2]}`;
    const earlier = latest.get(key);
    if (earlier !== undefined && lines[earlier][3] !== l[3]) conflicts.push([i, earlier]);
    latest.set(key, i);
  });
  const sources = lines.map((l) => (zipped.has(`${l[0]} ${l[1]}`) ? 'registry' : 'gomod'));
  return { sources, conflicts };
}

test('go.sum: go.mod-only lines and conflicting hashes in any order match a plain model', () => {
  const modules = ['a.example/m', 'a.example/m/v2', 'a.example', 'b.example/x', 'A.example/m'];
  const versions = ['v1.0.0', 'v1.0.0-rc.1', 'v1.0.0-rc.10', 'v1.0.0-rc.2', 'v1.10.0', 'v1.9.0',
    'v1.0.0+incompatible', 'v0.0.0-20200101000000-abcdefabcdef', 'v01.0.0', 'v1.0.0-0.1'];
  const next = seededRandom(7);
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
  for (let round = 0; round < 3000; round++) {
    const count = 1 + Math.floor(next() * 30);
    const lines = Array.from({ length: count }, () => [
      pick(modules), pick(versions), next() < 0.5 ? 'zip' : 'go.mod', pick([HASH_A, HASH_B]),
    ]);
    // Go's order, string order and no order at all take different paths through the parser.
    const order = round % 3;
    if (order > 0) {
      const written = (l: string[]) => `${l[0]} ${l[1]}${l[2] === 'go.mod' ? '/go.mod' : ''}`;
      lines.sort((x, y) => (order === 1 ? (written(x) < written(y) ? -1 : 1)
        : x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
    }
    const text = lines.map((l) => `${l[0]} ${l[1]}${l[2] === 'go.mod' ? '/go.mod' : ''} ${l[3]}`)
      .join('\n');
    const result = parseGoSum(text, { path: '/p/go.sum' });
    const model = goSumModel(lines);
    const label = `round ${round}:\n${text}`;

    assert.deepEqual(result.dependencies.map((d) => [d.name, d.version, d.checksumOf, d.checksum]),
      lines, label);
    assert.deepEqual(result.dependencies.map((d) => d.source), model.sources, label);
    for (const d of result.dependencies) {
      assert.ok(d.purl !== null, label);
      if (d.source === 'gomod') assert.match(d.hint ?? '', /^only the go\.mod file/, label);
      else assert.equal(d.hint, undefined, label);
    }
    const conflicts = result.problems.filter((p) => p.code === 'GOSUM_CONFLICTING_HASH');
    assert.deepEqual(
      conflicts.map((p) => [
        p.range.start.line,
        Number(/than on line (\d+)/.exec(p.message)![1]) - 1,
      ]),
      model.conflicts,
      label,
    );
  }
});

test('go.sum purls equal packageurl-js, and a version it refuses leaves the line unchecked', () => {
  const text = [
    `github.com/Azure/go-autorest v14.2.0+incompatible ${HASH_A}`,
    `github.com/x/y v1.2.3-rc.1+build.5 ${HASH_A}`,
    `github.com/x/y v01.2.3+incompatible ${HASH_A}`,
    `github.com/x/é v1.0.0 ${HASH_A}`,
  ].join('\n');
  const result = parseGoSum(text, { path: '/p/go.sum' });
  const [azure, build, leadingZero, accent] = result.dependencies;
  assert.equal(azure.purl, new PackageURL('golang', 'github.com/Azure', 'go-autorest',
    'v14.2.0+incompatible', undefined, undefined).toString());
  assert.equal(build.purl, 'pkg:golang/github.com/x/y@v1.2.3-rc.1+build.5');
  assert.equal(accent.purl, new PackageURL('golang', 'github.com/x', 'é', 'v1.0.0', undefined,
    undefined).toString());
  // packageurl-js refuses a golang version that is not semver; such a line is never trusted.
  assert.equal(leadingZero.purl, null);
  assert.deepEqual(result.problems.map((p) => [p.code, p.range.start.line]),
    [['GOSUM_BAD_MODULE_PATH', 2]]);
});

test('go.sum: a zip line after its go.mod line, far apart and out of order', () => {
  const text = [
    `b.example/m v1.0.0/go.mod ${HASH_A}`,
    `a.example/m v1.0.0/go.mod ${HASH_A}`,
    `b.example/m v1.0.0/go.mod ${HASH_B}`,
    `b.example/m v1.0.0 ${HASH_A}`,
  ].join('\n');
  const result = parseGoSum(text, { path: '/p/go.sum' });
  assert.deepEqual(result.dependencies.map((d) => [d.name, d.source, d.hint === undefined]), [
    ['b.example/m', 'registry', true],
    ['a.example/m', 'gomod', false],
    ['b.example/m', 'registry', true],
    ['b.example/m', 'registry', true],
  ]);
  assert.deepEqual(result.problems.map((p) => [p.code, p.range.start.line, p.message]), [[
    'GOSUM_CONFLICTING_HASH', 2,
    'go.sum line 3: another hash for b.example/m@v1.0.0/go.mod than on line 1; '
      + 'the go command refuses such a file (checksum mismatch)',
  ]]);
});

test('go.sum: a line of a million characters and a lone surrogate are positioned problems', () => {
  const long = `a.example/m v1.0.0 h1:${'A'.repeat(1_000_000)}`;
  const surrogate = `a.example/\ud800 v1.0.0 ${HASH_A}`;
  const result = parseGoSum(`${long}\n${surrogate}\r\n`, { path: '/p/go.sum' });
  const whole = (line: number, character: number) =>
    ({ start: { line, character: 0 }, end: { line, character } });
  assert.deepEqual(result.problems.map((p) => [p.code, p.range]), [
    ['GOSUM_BAD_HASH', whole(0, long.length)],
    ['GOSUM_BAD_MODULE_PATH', whole(1, surrogate.length)],
  ]);
  assert.equal(result.dependencies[0].purl, null);
});

// --- Gemfile.lock -------------------------------------------------------------------------

const GEM_LINES = ['GEM', '  remote: https://rubygems.org/', '  remote: https://gems.example/',
  '  specs:', '    foo (1.0)', '    foo (1.0-x86_64-linux)', '      bar (>= 1)',
  '    bar (1.2.beta)', '    baz', '    qux (1.0', '    q (1.0) x', '    ünï (1.0)',
  '    é (1.0-java)', '     five (1)',
  'GIT', '  remote: https://git.example/r.git', '  revision: abc123', 'PATH', '  remote: vendor/x',
  'PLUGIN SOURCE', '  type: s3', 'CHECKSUMS', '  foo (1.0) sha256=ab', '  foo (1.0) sha512=cd',
  'DEPENDENCIES', '  foo!', 'PLATFORMS', '  ruby'];

/**
 * A trailing space on every line indented four spaces or more (lines end at `\n`, `\r\n` or
 * `\r`): the fast path leaves such lines to the general reader, which trims them.
 */
function gemfileGeneralTwin(text: string): string {
  return text.split(/(\r\n|\r|\n)/)
    .map((part, i) => (i % 2 === 0 && /^ {4,}\S/.test(part) ? `${part} ` : part))
    .join('');
}

/** What a trailing space may change: the end of a problem's whole-line range, nothing else. */
function problemsWithoutEnds(result: ParseResult): unknown[] {
  return result.problems.map((p) => ({ code: p.code, message: p.message, start: p.range.start }));
}

test('Gemfile.lock: the fast path and the general reader give the same entries', () => {
  const next = seededRandom(1203);
  let entries = 0;
  for (const file of gemfileLockFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const label = path.basename(file);
    const variants = [
      text, text.replace(/\n/g, '\r\n'), text.replace(/\n/g, '\r'), `\uFEFF${text}`,
    ];
    for (let i = 0; i < 40; i++) variants.push(mutate(text.slice(0, 8000), next, GEM_LINES));
    variants.forEach((variant, i) => {
      const fast = parseGemfileLock(variant, { path: file });
      const general = parseGemfileLock(gemfileGeneralTwin(variant), { path: file });
      assert.deepStrictEqual(fast.dependencies, general.dependencies, `${label} variant ${i}`);
      assert.deepStrictEqual(problemsWithoutEnds(fast), problemsWithoutEnds(general),
        `${label} variant ${i}`);
      assert.equal(fast.ok, general.ok, `${label} variant ${i}`);
      entries += fast.dependencies.length;
    });
  }
  assert.ok(entries > 5000, `only ${entries} entries compared`);
});

test('Gemfile.lock: a spec cut off at the end of the text is a problem, never a hang', () => {
  for (const tail of ['    foo', '    foo (', '    foo (1.0', '    foo (1.0))', '    foo!']) {
    const text = `GEM\n  remote: https://rubygems.org/\n  specs:\n${tail}`;
    const result = parseGemfileLock(text, { path: '/p/Gemfile.lock' });
    assert.ok(result.problems.some((p) => p.range.start.line === 3), `${tail}: no problem`);
  }
});

test('Gemfile.lock platform purls equal packageurl-js', () => {
  const text = 'GEM\n  remote: https://rubygems.org/\n  specs:\n'
    + '    nokogiri (1.15.4-x86_64-linux)\n'
    + '    ffi (1.16.3-x64-mingw-ucrt)\n'
    + '    json (2.7.1-java)\n';
  const result = parseGemfileLock(text, { path: '/p/Gemfile.lock' });
  assert.equal(result.dependencies.length, 3);
  for (const d of result.dependencies) {
    const reference = new PackageURL('gem', undefined, d.name, d.version,
      { platform: d.details!.platform! }, undefined).toString();
    assert.equal(d.purl, reference);
  }
});
