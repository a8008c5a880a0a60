// The package-lock parser on small fixtures, one class of mistake each.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Dependency, ParseResult } from '../../server/src/core/types';
import { MAX_JSON_DEPTH } from '../../server/src/parsers/npm/json';
import { nameFromPath, parsePackageLock } from '../../server/src/parsers/npm/packageLock';
import { originOf, readIntegrity } from '../../server/src/parsers/npm/sources';

const FIXTURES = path.join(__dirname, 'fixtures', 'npm');

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

function parse(text: string, file = 'package-lock.json'): ParseResult {
  return parsePackageLock(text, { path: `/project/${file}` });
}

function byPath(result: ParseResult, nodePath: string): Dependency {
  const found = result.dependencies.find((d) => d.details?.path === nodePath);
  const have = result.dependencies.map((d) => d.details?.path).join(', ');
  assert.ok(found, `an entry at ${nodePath}; have ${have}`);
  return found;
}

/** The text a range covers. */
function slice(text: string, d: Dependency): string {
  const lines = text.split(/\r\n|\r|\n/);
  const starts: number[] = [];
  let offset = 0;
  const breaks = text.match(/\r\n|\r|\n/g) ?? [];
  lines.forEach((line, i) => {
    starts.push(offset);
    offset += line.length + (breaks[i]?.length ?? 0);
  });
  const { start, end } = d.range;
  return text.slice(starts[start.line] + start.character, starts[end.line] + end.character);
}

test('v3: alias names come from the entry, scoped names from nested keys', () => {
  const text = fixture('v3-aliases-scoped.json');
  const result = parse(text);
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.dependencies.map((d) => [d.details?.path, d.name, d.version, d.purl]),
    [
      ['node_modules/@types/node', '@types/node', '20.19.0', 'pkg:npm/%40types/node@20.19.0'],
      ['node_modules/cf', '@babel/code-frame', '7.0.0', 'pkg:npm/%40babel/code-frame@7.0.0'],
      ['node_modules/outer', 'outer', '1.0.0', 'pkg:npm/outer@1.0.0'],
      ['node_modules/outer/node_modules/@scope/inner', '@scope/inner', '2.0.0',
        'pkg:npm/%40scope/inner@2.0.0'],
      ['node_modules/sw', 'string-width', '4.2.0', 'pkg:npm/string-width@4.2.0'],
    ],
  );
  assert.deepEqual(byPath(result, 'node_modules/outer/node_modules/@scope/inner').details?.flags, ['peer']);

  // The range is the whole member, from the key's opening quote to the closing brace.
  const cf = byPath(result, 'node_modules/cf');
  assert.match(slice(text, cf), /^"node_modules\/cf": \{[\s\S]*"sha512-BBBB"\n {4}\}$/);
  assert.deepEqual(cf.range, { start: { line: 21, character: 4 }, end: { line: 26, character: 5 } });
});

test('v1: nested dependencies, scoped nested names, npm: aliases, git and file specifiers', () => {
  const text = fixture('v1-nested-specifiers.json');
  const result = parse(text);
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.dependencies.map((d) => [d.details?.path, d.name, d.version, d.source, d.details?.flags ?? []]),
    [
      ['node_modules/a', 'a', '1.0.0', 'registry', ['dev']],
      ['node_modules/a/node_modules/@s/b', '@s/b', '2.0.0', 'registry', ['inBundle']],
      ['node_modules/cf', '@babel/code-frame', '7.0.0', 'registry', []],
      ['node_modules/from-git', 'from-git', null, 'git', []],
      ['node_modules/from-disk', 'from-disk', null, 'link', []],
      ['node_modules/optional-one', 'optional-one', '3.0.0', 'registry', ['optional']],
    ],
  );
  const nested = byPath(result, 'node_modules/a/node_modules/@s/b');
  assert.match(slice(text, nested), /^"@s\/b": \{[\s\S]*"bundled": true\n {8}\}$/);

  const git = byPath(result, 'node_modules/from-git');
  assert.equal(git.details?.commit, '0123456789abcdef0123456789abcdef01234567');
  assert.equal(
    git.purl,
    'pkg:npm/from-git@0123456789abcdef0123456789abcdef01234567?vcs_url=' +
      encodeURIComponent('git+https://github.com/owner/repo.git@0123456789abcdef0123456789abcdef01234567'),
  );
  assert.equal(byPath(result, 'node_modules/from-disk').purl, null);
});

test('v2 with both sections reads `packages` only', () => {
  const result = parse(fixture('v2-both-sections.json'));
  assert.deepEqual(result.dependencies.map((d) => [d.name, d.version, d.checksum]), [
    ['left-pad', '1.3.0', 'sha512-AAAA'],
  ]);
});

test('a link with an empty `resolved` is skipped with a hint and does not stop the rest', () => {
  const text = fixture('link-empty-resolved.json');
  const result = parse(text);
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems.map((p) => [p.code, p.severity, p.range.start.line]), [
    ['NPM_LINK_WITHOUT_TARGET', 'hint', 9],
  ]);
  assert.deepEqual(result.dependencies.map((d) => [d.details?.path, d.name, d.version, d.source, d.purl]), [
    ['node_modules/good-link', 'good-link', null, 'link', null],
    ['packages/good', 'good-link', '0.1.0', 'local', null],
    ['node_modules/after', 'after', '1.0.0', 'registry', 'pkg:npm/after@1.0.0'],
  ]);
  assert.match(byPath(result, 'node_modules/good-link').hint ?? '', /packages\/good/);
});

test('git dependencies keep their commit in details and purl; unpinned ones get no purl', () => {
  const result = parse(fixture('git-and-tarballs.json'));
  assert.deepEqual(result.problems, []);

  const github = byPath(result, 'node_modules/from-github');
  assert.equal(github.source, 'git');
  assert.equal(github.details?.commit, 'abcdef0123456789abcdef0123456789abcdef01');
  assert.equal(
    github.purl,
    'pkg:npm/from-github@1.2.3?vcs_url=' +
      encodeURIComponent('git+https://github.com/Owner/Repo.git@abcdef0123456789abcdef0123456789abcdef01'),
  );

  const https = byPath(result, 'node_modules/from-https');
  assert.equal(https.source, 'git');
  assert.ok(https.purl && !https.purl.includes('secret') && !https.purl.includes('user'), https.purl ?? '');
  assert.ok(https.purl.includes(encodeURIComponent('git+https://example.com/team/repo.git@89abcdef')));

  // Without a commit the content is not pinned: nothing to attach trust to.
  const unpinned = byPath(result, 'node_modules/unpinned');
  assert.equal(unpinned.source, 'git');
  assert.equal(unpinned.purl, null);
  assert.equal(unpinned.details?.commit, undefined);
  assert.match(unpinned.hint ?? '', /without a pinned commit/);

  const tarball = byPath(result, 'node_modules/from-tarball');
  assert.equal(tarball.source, 'local');
  assert.equal(tarball.purl, null);

  const url = byPath(result, 'node_modules/from-url');
  assert.equal(url.source, 'registry');
  assert.equal(url.checksum, 'sha512-CCCC');
});

test('integrity with several hashes keeps all and picks the strongest', () => {
  const result = parse(fixture('integrity-multiple.json'));
  const two = byPath(result, 'node_modules/two');
  assert.deepEqual(two.checksums, ['sha1-AAAA', 'sha512-BBBB']);
  assert.equal(two.checksum, 'sha512-BBBB');

  const three = byPath(result, 'node_modules/three');
  assert.deepEqual(three.checksums, ['sha256-CCCC', 'sha384-DDDD', 'sha1-EEEE']);
  assert.equal(three.checksum, 'sha384-DDDD');

  const junk = byPath(result, 'node_modules/with-junk');
  assert.deepEqual(junk.checksums, ['sha256-GGGG']);
  assert.equal(junk.checksum, 'sha256-GGGG');
  assert.deepEqual(result.problems.map((p) => [p.code, p.range.start.line]), [['NPM_BAD_INTEGRITY', 18]]);
  assert.match(result.problems[0].message, /^package-lock\.json line 19: expected `<algorithm>-<base64>`/);
});

test('odd shapes and wrong types: a problem on the entry, the rest of the file still read', () => {
  const result = parse(fixture('odd-shapes.json'), 'npm-shrinkwrap.json');
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity, p.range.start.line, p.message]),
    [
      ['NPM_FIELD_TYPE', 'warning', 13, 'npm-shrinkwrap.json line 14: expected a string for `version`'],
      ['NPM_FIELD_TYPE', 'warning', 14, 'npm-shrinkwrap.json line 15: expected true or false for `dev`'],
      ['NPM_ENTRY_TYPE', 'warning', 16,
        'npm-shrinkwrap.json line 17: expected an object for package `node_modules/not-an-object`'],
      ['NPM_UNKNOWN_FIELD', 'hint', 20,
        'npm-shrinkwrap.json line 21: unknown field `someFutureField` (ignored)'],
      ['NPM_DUPLICATE_KEY', 'warning', 22,
        'npm-shrinkwrap.json line 23: `node_modules/dup` appears again on line 26; '
          + 'npm reads only the last'],
    ],
  );
  assert.deepEqual(result.dependencies.map((d) => [d.details?.path, d.version, d.purl]), [
    ['node_modules/numeric-version', null, null],
    ['node_modules/future-field', '1.0.0', 'pkg:npm/future-field@1.0.0'],
    ['node_modules/dup', '2.0.0', 'pkg:npm/dup@2.0.0'],
    ['node_modules/fine', '1.0.0', 'pkg:npm/fine@1.0.0'],
  ]);
  // A version that could not be read is never a trust subject.
  assert.match(result.dependencies[0].hint ?? '', /no version/);
});

test('CRLF line ends give the same lines and columns', () => {
  const lf = fixture('v3-aliases-scoped.json');
  const crlf = lf.replace(/\n/g, '\r\n');
  const a = parse(lf);
  const b = parse(crlf);
  assert.deepEqual(b.problems, []);
  assert.deepEqual(b.dependencies, a.dependencies);
});

test('a byte order mark is tolerated and offsets stay those of the given text', () => {
  const text = fixture('v3-aliases-scoped.json');
  const result = parse('\uFEFF' + text);
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.dependencies.map((d) => d.range), parse(text).dependencies.map((d) => d.range));
});

test('ranges count UTF-16 code units', () => {
  const text = '{"lockfileVersion":3,"packages":{"":{"name":"\u{1F600}x"},'
    + '"node_modules/a":{"version":"1.0.0"}}}';
  const result = parse(text);
  assert.equal(result.dependencies.length, 1);
  const start = text.indexOf('"node_modules/a"');
  assert.deepEqual(result.dependencies[0].range, {
    start: { line: 0, character: start },
    end: { line: 0, character: text.length - 2 },
  });
  assert.equal(Array.from(text.slice(0, start)).length, start - 1, 'the emoji is two units');
});

test('broken JSON: a positioned error naming what was expected, complete entries kept', () => {
  const result = parse(fixture('broken-missing-comma.json'));
  assert.equal(result.ok, false);
  const errors = result.problems.filter((p) => p.severity === 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'JSON_SYNTAX');
  assert.deepEqual(errors[0].range.start, { line: 14, character: 6 });
  assert.equal(errors[0].message, 'package-lock.json line 15: column 7: expected `,` between members');
  assert.deepEqual(result.dependencies.map((d) => d.name), ['first']);
});

test('JSON syntax: trailing commas, comments, truncation, empty text, other JSON', () => {
  const trailing = parse('{\n  "lockfileVersion": 3,\n  "packages": {\n'
    + '    "node_modules/a": { "version": "1.0.0" },\n  }\n}\n');
  assert.equal(trailing.ok, false);
  assert.equal(trailing.problems[0].code, 'JSON_SYNTAX');
  assert.deepEqual(trailing.problems[0].range.start, { line: 4, character: 2 });
  assert.match(trailing.problems[0].message, /trailing commas are not allowed/);
  assert.deepEqual(trailing.dependencies.map((d) => d.name), ['a']);

  const comment = parse('{\n  // written by hand\n  "lockfileVersion": 3\n}\n');
  assert.equal(comment.ok, false);
  assert.deepEqual(comment.problems[0].range.start, { line: 1, character: 2 });
  assert.match(comment.problems[0].message, /comments are not allowed/);

  const full = fixture('v3-aliases-scoped.json');
  const truncated = full.slice(0, full.indexOf('"node_modules/sw"'));
  const cut = parse(truncated);
  assert.equal(cut.ok, false);
  assert.equal(cut.problems[0].code, 'JSON_SYNTAX');
  assert.match(cut.problems[0].message,
    /^package-lock\.json line 39: column 5: expected .*found the end of the file$/);
  const inString = parse(full.slice(0, full.indexOf('"node_modules/sw"') + 5));
  assert.match(inString.problems[0].message, /line 39: column 5: expected a closing `"` of the string/);
  assert.deepEqual(cut.dependencies.map((d) => d.name),
    ['@types/node', '@babel/code-frame', 'outer', '@scope/inner']);

  for (const text of ['', '   \n', '[1, 2]', '"text"', 'null']) {
    const result = parse(text);
    assert.equal(result.ok, false, JSON.stringify(text));
    assert.equal(result.dependencies.length, 0);
    assert.equal(result.problems.filter((p) => p.severity === 'error').length, 1, JSON.stringify(text));
  }
  assert.equal(parse('[1, 2]').problems[0].code, 'NPM_NOT_LOCKFILE');
});

test('lockfileVersion missing or unknown: a warning, entries still read', () => {
  const missing = parse('{"packages":{"node_modules/a":{"version":"1.0.0"}}}');
  assert.equal(missing.ok, true);
  assert.deepEqual(missing.problems.map((p) => p.code), ['NPM_NO_LOCKFILE_VERSION']);
  assert.equal(missing.dependencies.length, 1);

  const future = parse('{"lockfileVersion":4,"packages":{"node_modules/a":{"version":"1.0.0"}}}');
  assert.deepEqual(future.problems.map((p) => p.code), ['NPM_LOCKFILE_VERSION']);
  assert.equal(future.dependencies.length, 1);

  const noPackages = parse('{"lockfileVersion":3,"requires":true}');
  assert.equal(noPackages.ok, true);
  assert.deepEqual(noPackages.problems.map((p) => p.code), ['NPM_NO_PACKAGES']);
  const emptyV1 = parse('{"lockfileVersion":1,"requires":true}');
  assert.deepEqual([emptyV1.ok, emptyV1.problems, emptyV1.dependencies], [true, [], []]);

  const wrongPackages = parse('{"lockfileVersion":3,"packages":[]}');
  assert.equal(wrongPackages.ok, false);
  assert.deepEqual(wrongPackages.problems.map((p) => p.code), ['NPM_FIELD_TYPE']);
});

test('hostile nesting is refused at a bounded depth with a positioned error', () => {
  const deepArrays = '{"lockfileVersion":3,"x":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
  const arrays = parse(deepArrays);
  assert.equal(arrays.ok, false);
  assert.equal(arrays.problems[0].code, 'JSON_TOO_DEEP');
  assert.deepEqual(arrays.problems[0].range.start, { line: 0, character: 25 + MAX_JSON_DEPTH - 1 });

  // v1 nesting: entries above the bound are kept, the deeper ones are not read.
  let v1 = '{"lockfileVersion":1,"dependencies":';
  const levels = 400;
  for (let i = 0; i < levels; i++) v1 += `{"p${i}":{"version":"1.0.${i}","dependencies":`;
  v1 += '{}' + '}}'.repeat(levels) + '}';
  const nested = parse(v1);
  assert.equal(nested.ok, false);
  assert.equal(nested.problems[0].code, 'JSON_TOO_DEEP');
  assert.equal(nested.dependencies.length, 0, 'no entry is complete before the cut');

  // The same tree within the bound reads fully, with nested paths.
  let shallow = '{"lockfileVersion":1,"dependencies":';
  for (let i = 0; i < 100; i++) shallow += `{"p${i}":{"version":"1.0.${i}","dependencies":`;
  shallow += '{}' + '}}'.repeat(100) + '}';
  const ok = parse(shallow);
  assert.equal(ok.ok, true);
  assert.equal(ok.dependencies.length, 100);
  assert.equal(ok.dependencies[2].details?.path, 'node_modules/p0/node_modules/p1/node_modules/p2');
});

test('names from keys: the part after the last node_modules folder, or the folder name', () => {
  assert.equal(nameFromPath('node_modules/a'), 'a');
  assert.equal(nameFromPath('node_modules/a/node_modules/@s/b'), '@s/b');
  // A scope whose name ends in `node_modules` is no node_modules folder.
  assert.equal(nameFromPath('node_modules/@my_node_modules/pkg'), '@my_node_modules/pkg');
  assert.equal(nameFromPath('node_modules/a/node_modules/@x_node_modules/y'), '@x_node_modules/y');
  assert.equal(nameFromPath('functions/func1'), 'func1');
});

test('unknown fields: one hint per entry, however many', () => {
  const fields: Record<string, number> = {};
  for (let i = 0; i < 5000; i++) fields[`extra${i}`] = i;
  const text = JSON.stringify({
    lockfileVersion: 3,
    packages: { 'node_modules/a': { version: '1.0.0', ...fields } },
  });
  const result = parse(text);
  assert.deepEqual(result.problems.map((p) => [p.code, p.message]), [
    ['NPM_UNKNOWN_FIELD',
      'package-lock.json line 1: unknown fields `extra0`, `extra1`, `extra2` and 4997 more (ignored)'],
  ]);
  assert.equal(result.dependencies[0].purl, 'pkg:npm/a@1.0.0');
});

test('the same package at two paths is two entries', () => {
  const text = JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { name: 'x' },
      'node_modules/ms': { version: '2.1.3' },
      'node_modules/debug/node_modules/ms': { version: '2.1.3' },
    },
  }, null, 2);
  const result = parse(text);
  assert.deepEqual(result.dependencies.map((d) => [d.name, d.version, d.details?.path, d.range.start.line]), [
    ['ms', '2.1.3', 'node_modules/ms', 6],
    ['ms', '2.1.3', 'node_modules/debug/node_modules/ms', 9],
  ]);
});

test('every truncation and seeded mutations of a lockfile: no throw, problems inside the text', () => {
  const text = fixture('v1-nested-specifiers.json') + fixture('git-and-tarballs.json');
  const lines = text.split('\n');
  const inside = (r: ParseResult) => {
    for (const p of r.problems) {
      assert.ok(p.range.start.line < lines.length && p.range.end.line < lines.length, p.message);
      assert.match(p.message, /^package-lock\.json line \d+: /);
      assert.ok(p.code.length > 0);
    }
    for (const d of r.dependencies) assert.ok(d.range.end.line < lines.length);
  };

  const first = fixture('v1-nested-specifiers.json').trimEnd();
  for (let cut = 0; cut < first.length; cut += 3) {
    const result = parse(first.slice(0, cut));
    inside(result);
    assert.equal(result.ok, false, `cut at ${cut}`);
    assert.equal(result.problems.filter((p) => p.severity === 'error').length, 1);
  }
  // Two lockfiles one after the other: the second is one top-level value too many.
  const twice = parse(text);
  inside(twice);
  assert.equal(twice.ok, false);
  assert.match(twice.problems[0].message, /expected the end of the file after the top-level value/);

  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = '{}[]:,"\\ \n0aZ-\u00e9\u{1F600}';
  const single = fixture('v1-nested-specifiers.json');
  for (let i = 0; i < 400; i++) {
    const at = random(single.length);
    const insert = alphabet[random(alphabet.length)];
    const mutated = single.slice(0, at) + insert + single.slice(at + (random(2) ? 1 : 0));
    const result = parse(mutated);
    for (const p of result.problems) assert.ok(p.range.start.line <= mutated.split('\n').length);
    if (!result.ok) assert.ok(result.problems.some((p) => p.severity === 'error'));
  }
});

test('a git entry without a name gets no purl instead of stopping the parse', () => {
  const text = JSON.stringify({
    lockfileVersion: 3,
    packages: {
      'node_modules/': { version: '1.0.0', resolved: 'git+https://h/r.git#0123456789abcdef' },
      'node_modules/@s/': { resolved: 'github:o/r#0123456789abcdef' },
      'node_modules/a': { version: '1.0.0' },
    },
  });
  const result = parse(text);
  assert.equal(result.ok, true);
  assert.deepEqual(result.dependencies.map((d) => [d.name, d.source, d.purl]), [
    ['', 'git', null],
    ['@s/', 'git', null],
    ['a', 'registry', 'pkg:npm/a@1.0.0'],
  ]);
  const v1 = parse('{"lockfileVersion":1,"dependencies":{"":{"version":"github:o/r#abcdef1"}}}');
  assert.deepEqual(v1.dependencies.map((d) => [d.source, d.purl]), [['git', null]]);
});

test('v1: a nested `dependencies` that is no object is a warning on its value', () => {
  const text = '{"lockfileVersion":1,"dependencies":{\n'
    + '"a":{"version":"1.0.0","dependencies":[1]},\n'
    + '"b":{"version":"1.0.0","dependencies":"x"}}}';
  const result = parse(text);
  assert.deepEqual(result.dependencies.map((d) => d.name), ['a', 'b']);
  assert.deepEqual(result.problems.map((p) => [p.code, p.range.start, p.message]), [
    ['NPM_FIELD_TYPE', { line: 1, character: 38 },
      'package-lock.json line 2: expected an object for `dependencies`'],
    ['NPM_FIELD_TYPE', { line: 2, character: 38 },
      'package-lock.json line 3: expected an object for `dependencies`'],
  ]);
});

test('registry tarballs are told from other tarball URLs as npm lays them out', () => {
  // The layout `<registry>/<name>/-/<file>.tgz` before any query or fragment, as a pattern.
  const layout = (url: string): boolean => /\/-\/[^/]+\.tgz$/i.test(url.split(/[?#]/)[0]);
  const hosts = ['https://registry.npmjs.org', 'http://r.example/npm', 'https://h'];
  const paths = ['/a/-/a-1.0.0.tgz', '/@s/a/-/a-1.0.0.TGZ', '/a/-/.tgz', '/a/-/x.tgz/',
    '/a/-//b.tgz', '/a--/a.tgz', '/a/-/a.tgz.gz', '/-/a.tgz', '/a/b.tgz', '/a/-/a.tar.gz',
    '/a/-/a.tgz?x=/-/y', '/a/-/a.tgz#frag', '/a/-/a?x.tgz', '/a/-/a#/-/b.tgz', '/a/-/a.t#gz',
    '/a/-/ab.tgz?', '/a/-/-.tgz', ''];
  let registry = 0;
  for (const host of hosts) {
    for (const tail of paths) {
      const url = host + tail;
      const kind = originOf(url).kind;
      assert.equal(kind === 'registry', layout(url), url);
      if (kind === 'registry') registry++;
    }
  }
  assert.ok(registry >= 12 && registry < hosts.length * paths.length, `${registry} registry`);
});

test('integrity: a lone hash is read as the general splitting reads it', () => {
  // The general reading: split at whitespace, keep `<algorithm>-<base64>` tokens.
  const general = (text: string): string[] => text.split(/\s+/)
    .filter((t) => /^([a-z0-9]+)-[A-Za-z0-9+/]+={0,2}(\?.*)?$/i.test(t));
  const alphabet = ['a', 'Z', '9', '-', '+', '/', '=', ' ', '?', '\u00e9', '\n', 'sha512-'];
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const edges = ['sha1-AA', 'sha1-AA=', 'sha1-AA==', 'sha1-AA===', 'sha1-=', 'sha1-', '-AA',
    'SHA1-A/+', 'a-b==?x', 'a-b=c', 'a-b c-d', '', ' ', 'a--b', 'a-\u00e9', 'a-b\n'];
  let lone = 0;
  for (let i = 0; i < 20000 + edges.length; i++) {
    let text = edges[i - 20000] ?? '';
    const length = i < 20000 ? Math.floor(next() * 12) : 0;
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
    const expected = general(text);
    const read = readIntegrity(text);
    assert.deepEqual(read.checksums, expected, JSON.stringify(text));
    if (expected.length === 1 && expected[0] === text) {
      lone++;
      assert.equal(read.strongest, text);
      assert.deepEqual(read.invalid, []);
    }
  }
  assert.ok(lone > 100, `${lone} lone hashes`);
});
