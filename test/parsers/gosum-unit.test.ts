// The go.sum parser on small fixtures, one class of mistake each.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ParseResult } from '../../server/src/core/types';
import { parseGoSum } from '../../server/src/parsers/gosum/goSum';

const FIXTURES = path.join(__dirname, 'fixtures', 'gosum');

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

function parse(text: string, file = 'go.sum'): ParseResult {
  return parseGoSum(text, { path: `/project/${file}` });
}

const UUID = 'github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=';

test('malformed lines: a positioned problem each, every other line still read', () => {
  const result = parse(fixture('malformed.go.sum'), 'go.work.sum');
  assert.equal(result.ok, true, 'a go.sum with bad lines is still a go.sum');
  assert.deepEqual(
    result.problems.map((p) => [p.range.start.line, p.code, p.severity]),
    [
      [2, 'GOSUM_FIELD_COUNT', 'error'],
      [3, 'GOSUM_FIELD_COUNT', 'error'],
      [5, 'GOSUM_BAD_VERSION', 'error'],
      [6, 'GOSUM_BAD_HASH', 'error'],
      [7, 'GOSUM_BAD_HASH', 'error'],
      [8, 'GOSUM_UNKNOWN_HASH', 'warning'],
      [11, 'GOSUM_CONFLICTING_HASH', 'error'],
    ],
  );
  const messages = result.problems.map((p) => p.message);
  const fields = 'expected 3 fields (`<module> <version> <hash>`)';
  assert.equal(messages[0], `go.work.sum line 3: ${fields}, found 2`);
  assert.equal(messages[1], `go.work.sum line 4: ${fields}, found 5`);
  assert.match(messages[2], /^go\.work\.sum line 6: expected a version such as `v1\.2\.3`.*found `0\.17\.0`$/);
  assert.match(messages[3], /^go\.work\.sum line 7: expected `h1:` followed by 44 characters of base64/);
  assert.match(messages[6], /another hash for github\.com\/google\/uuid@v1\.6\.0 than on line 1/);
  for (const p of result.problems) {
    assert.equal(p.range.start.character, 0);
    assert.ok(p.range.end.character > 0, 'the whole line');
  }

  assert.deepEqual(
    result.dependencies.map((d) => [d.range.start.line, d.name, d.version, d.checksumOf, d.source]),
    [
      [0, 'github.com/google/uuid', 'v1.6.0', 'zip', 'registry'],
      [4, 'github.com/pkg/errors', 'v0.9.1', 'go.mod', 'gomod'],
      [9, 'golang.org/x/mod', 'v0.17.0', 'go.mod', 'gomod'],
      [10, 'golang.org/x/sync', 'v0.7.0', 'zip', 'registry'],
      [11, 'github.com/google/uuid', 'v1.6.0', 'zip', 'registry'],
    ],
  );
  // Tabs and repeated spaces separate fields; the range is still the whole line.
  const sync = result.dependencies[3];
  assert.equal(sync.checksum, 'h1:YsImfSBoP9QPYL0xyKJPq0gcaJdG3rInoqxTWbfQu9M=');
  assert.equal(sync.range.end.character, fixture('malformed.go.sum').split('\n')[10].length);
});

test('merge conflict markers: an error at each marker line, ok false, both sides read', () => {
  const result = parse(fixture('conflict.go.sum'));
  assert.equal(result.ok, false);
  assert.deepEqual(result.problems.map((p) => [p.range.start.line, p.code, p.severity]), [
    [2, 'GOSUM_CONFLICT_MARKER', 'error'],
    [4, 'GOSUM_CONFLICT_MARKER', 'error'],
    [6, 'GOSUM_CONFLICT_MARKER', 'error'],
  ]);
  assert.deepEqual(result.problems[0].range,
    { start: { line: 2, character: 0 }, end: { line: 2, character: 12 } });
  assert.deepEqual(result.dependencies.map((d) => [d.range.start.line, d.version, d.checksumOf]), [
    [0, 'v1.6.0', 'zip'],
    [1, 'v1.6.0', 'go.mod'],
    [3, 'v0.14.0', 'zip'],
    [5, 'v0.15.0', 'zip'],
    [7, 'v0.14.0', 'go.mod'],
  ]);
});

test('CRLF line ends and blank lines', () => {
  const text = fixture('crlf.go.sum');
  assert.ok(text.includes('\r\n'), 'the fixture has CRLF line ends');
  const result = parse(text);
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.dependencies.map((d) => [d.name, d.version, d.checksumOf, d.source, d.range, d.checksum]),
    [
      ['rsc.io/quote', 'v1.5.2', 'zip', 'registry',
        { start: { line: 0, character: 0 }, end: { line: 0, character: 67 } },
        'h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y='],
      ['rsc.io/quote', 'v1.5.2', 'go.mod', 'registry',
        { start: { line: 1, character: 0 }, end: { line: 1, character: 74 } },
        'h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0='],
      ['rsc.io/sampler', 'v1.3.0', 'go.mod', 'gomod',
        { start: { line: 3, character: 0 }, end: { line: 3, character: 76 } },
        'h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA='],
    ],
  );
  assert.equal(result.dependencies[2].purl, 'pkg:golang/rsc.io/sampler@v1.3.0');
});

test('a byte order mark before the first line is tolerated', () => {
  const result = parse('\uFEFF' + UUID + '\n');
  assert.deepEqual(result.problems, []);
  assert.equal(result.dependencies[0].name, 'github.com/google/uuid');
  assert.equal(result.dependencies[0].range.end.character, UUID.length + 1);
});

test('pseudo-versions and +incompatible are kept as written', () => {
  const text = [
    'github.com/docker/docker v1.4.2-0.20190924003213-a8608b5b67c7 '
      + 'h1:Cvj7S8I4Xpx78KAl6TwTmMHuHlZ/0SM60NUneGJQ7IE=',
    'github.com/Azure/azure-sdk-for-go v38.0.0+incompatible/go.mod '
      + 'h1:9XXNKU+eRnpl9moKnB4QOLf1HestfXbmab5FXxiDBjc=',
  ].join('\n');
  const result = parse(text);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.dependencies.map((d) => [d.version, d.checksumOf, d.source]), [
    ['v1.4.2-0.20190924003213-a8608b5b67c7', 'zip', 'registry'],
    ['v38.0.0+incompatible', 'go.mod', 'gomod'],
  ]);
});

test('empty text is an empty go.sum; text with no go.sum line is not a go.sum', () => {
  for (const text of ['', '\n\n', '  \r\n']) {
    const result = parse(text);
    assert.equal(result.ok, true);
    assert.deepEqual(result.dependencies, []);
    assert.deepEqual(result.problems, []);
  }
  const goMod = parse(fixture('not-a-go-sum.go.sum'));
  assert.equal(goMod.ok, false);
  assert.ok(goMod.problems.some((p) => p.code === 'GOSUM_NOT_GOSUM' && p.severity === 'error'));
  assert.deepEqual(goMod.dependencies, []);
});

test('identical duplicate lines are two entries without a problem', () => {
  const result = parse(`${UUID}\n${UUID}\n`);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.dependencies.map((d) => d.range.start.line), [0, 1]);
});

test('seeded mutations of a go.sum: no throw, every problem on a line of the text', () => {
  const text = fixture('crlf.go.sum') + fixture('malformed.go.sum');
  let seed = 777;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = ' \t\r\n/=+:<>|hv1.\u00e9';
  for (let i = 0; i < 400; i++) {
    const at = random(text.length);
    const mutated = text.slice(0, at) + alphabet[random(alphabet.length)] + text.slice(at + random(3));
    const result = parse(mutated);
    const lineCount = mutated.split(/\r\n|\r|\n/).length;
    for (const p of result.problems) {
      assert.ok(p.range.start.line < lineCount, p.message);
      assert.match(p.message, /^go\.sum line \d+: /);
    }
    for (const d of result.dependencies) {
      assert.match(d.version ?? '', /^v\d/);
      assert.match(d.checksum ?? '', /^h1:[A-Za-z0-9+/]{43}=$/);
    }
  }
});
