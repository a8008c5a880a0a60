// The package-lock parser reads valid JSON through JSON.parse and an offset scan; the tolerant
// reader (jsonc-parser's scanner) is the reference. Both must give the same ParseResult for
// every valid lockfile: real ones, hostile variants of them, and seeded random ones.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ParseResult } from '../../server/src/core/types';
import {
  parsePackageLock,
  parsePackageLockTolerant,
} from '../../server/src/parsers/npm/packageLock';
import { readValidJson, TooDeep } from '../../server/src/parsers/npm/validJson';
import { sharedPath } from '../helpers/shared';
import { seededRandom } from '../helpers/random';

const FIXTURES = path.join(__dirname, 'fixtures', 'npm');

function lockfiles(): Array<{ name: string; text: string }> {
  const files: string[] = [];
  const corpus = sharedPath('corpus', 'npm');
  for (const f of fs.readdirSync(corpus)) files.push(path.join(corpus, f));
  files.push(sharedPath('bench', 'npm', 'package-lock.json'));
  files.push(sharedPath('bench', 'npm', 'vscode-js-debug.package-lock.json'));
  for (const f of fs.readdirSync(FIXTURES)) files.push(path.join(FIXTURES, f));
  return files.map((f) => ({ name: path.relative(path.join(__dirname, '..', '..'), f),
    text: fs.readFileSync(f, 'utf8') }));
}

/** Whether the fast reader takes this text itself rather than handing it to the tolerant one. */
function takesFastPath(text: string): boolean {
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return false;
  }
  try {
    return readValidJson(source, parsed) !== undefined;
  } catch (thrown) {
    if (thrown instanceof TooDeep) return false;
    throw thrown;
  }
}

function same(text: string, what: string, file = '/project/package-lock.json'): ParseResult {
  const fast = parsePackageLock(text, { path: file });
  const tolerant = parsePackageLockTolerant(text, { path: file });
  assert.deepStrictEqual(fast, tolerant, `${what}: fast and tolerant results differ`);
  return fast;
}

/** Line-end, BOM and layout variants that keep the JSON valid and the same. */
function variants(text: string): Array<[string, string]> {
  return [
    ['as is', text],
    ['CRLF', text.replace(/\r?\n/g, '\r\n')],
    ['lone CR', text.replace(/\r?\n/g, '\r')],
    ['BOM', '\uFEFF' + text],
    ['tabs', text.replace(/^( {2})+/gm, (s) => '\t'.repeat(s.length / 2))],
    ['space before colons', text.replace(/": /g, '"\t :\n ')],
  ];
}

test('every real lockfile and its layout variants: the same result from both readers', () => {
  const files = lockfiles();
  assert.ok(files.length >= 20, `found ${files.length} lockfiles`);
  let fast = 0;
  for (const { name, text } of files) {
    for (const [variant, changed] of variants(text)) {
      same(changed, `${name} (${variant})`);
      if (takesFastPath(changed)) fast++;
    }
  }
  // Only the fixture with a syntax error goes to the tolerant reader, in all its variants.
  assert.equal(fast, (files.length - 1) * 6, 'valid files are read by the fast path');
});

test('the large real lockfile gives thousands of entries and identical ranges', () => {
  const text = fs.readFileSync(sharedPath('bench', 'npm', 'package-lock.json'), 'utf8');
  assert.ok(takesFastPath(text));
  const result = same(text, 'bench package-lock.json');
  assert.ok(result.dependencies.length > 1000, `${result.dependencies.length} entries`);
});

/** A v3 lockfile around the given `packages` members, written as raw JSON text. */
function v3(members: string, extra = ''): string {
  const head = `{\n  "name": "x",\n  "lockfileVersion": 3,${extra}\n`;
  return `${head}  "packages": {\n${members}\n  }\n}\n`;
}

const HOSTILE: Array<[string, string]> = [
  ['duplicate entries and fields', v3(`
    "node_modules/a": { "version": "1.0.0", "version": "2.0.0", "odd": 1, "odd": 2 },
    "node_modules/a": { "version": "3.0.0", "integrity": "sha1-AAAA", "integrity": "bad" },
    "node_modules/b": { "version": 1, "version": "1.0.0" }`)],
  ['__proto__ and Object.prototype names as keys', v3(`
    "__proto__": { "version": "1.0.0" },
    "node_modules/__proto__": { "version": "1.0.0", "__proto__": { "x": 1 } },
    "node_modules/constructor": { "version": "1.0.0", "constructor": 1, "toString": "x" },
    "node_modules/hasOwnProperty": { "__proto__": null, "version": "2.0.0" }`)],
  ['escapes in keys and values', v3(`
    "node_modules/\\u0061": { "version": "1.0.0" },
    "node_modules/b\\"c": { "version": "1.0.0\\"x", "resolved": "\\\\" },
    "node_modules/d\\\\": { "version": "1.0.0", "x\\\\": "\\\\\\"" },
    "node_modules\\/e": { "version": "1.0.\\u0030", "ver\\u0073ion": "9.9.9" }`)],
  ['non-ASCII names and surrogate pairs', v3(`
    "node_modules/\u{1F600}": { "version": "1.0.0", "\u00e9t\u00e9": true },
    "node_modules/@\u4e2d/\u6587": { "name": "\u{1F680}x", "version": "1.0.0" },
    "node_modules/plain": { "version": "1.0.0" }`)],
  ['integer-like keys, whose order in a JS object differs from the file', v3(`
    "node_modules/z": { "version": "1.0.0", "2": 1, "1": 2 },
    "10": { "version": "1.0.0" },
    "2": { "version": "1.0.0" },
    "node_modules/0": { "version": "1.0.0", "0": "x" }`)],
  ['wrong types everywhere', v3(`
    "node_modules/a": [1, {"version": "1"}],
    "node_modules/b": null,
    "node_modules/c": -1.5e+3,
    "node_modules/d": { "version": {"x": [true]}, "dev": null, "link": "yes", "resolved": 5 },
    "node_modules/e": { "version": "1.0.0", "integrity": ["sha512-AA=="] },
    "node_modules/f": true, "node_modules/g": "str", "": false`)],
  ['links, locals and git', v3(`
    "packages/x": { "name": "x", "version": "1.0.0" },
    "node_modules/x": { "resolved": "packages/x", "link": true },
    "node_modules/y": { "link": true },
    "node_modules/g": { "version": "1.0.0",
      "resolved": "git+ssh://git@github.com/a/b.git#abcdef1" }`)],
  ['minified', JSON.stringify({ lockfileVersion: 2, packages: { 'node_modules/a': {
    version: '1.0.0', dev: true, peer: true } }, dependencies: { a: { version: '1.0.0' } } })],
  ['packages twice, the last one not an object', v3('"node_modules/a": {"version": "1.0.0"}',
    '\n  "packages": {"node_modules/q": {}},\n  "dependencies": {"b": {"version": "1.0.0"}},'
      + '\n  "packages": 7,').replace(/"packages": {\n"node_modules\/a"/, '"pkgs": {\n"a"')],
  ['v1 section before a packages object', `{"lockfileVersion": 2,
    "dependencies": {"a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}}},
    "packages": {"node_modules/a": {"version": "1.0.0"}}}`],
  ['v1 with duplicates, wrong types and aliases', `{"lockfileVersion": 1, "dependencies": {
    "a": {"version": "1.0.0",
      "dependencies": {"b": {"version": "2.0.0"}, "b": {"version": "3.0.0"}}},
    "a": {"version": "1.1.0", "dependencies": {"c": {"version": "npm:@s/c@1.2.3"}}},
    "d": "1.0.0", "e": {"version": "1.0.0", "dependencies": [1]},
    "f": {"version": "1.0.0", "dependencies": "x", "bundled": "yes", "extra": 1},
    "__proto__": {"version": "1.0.0", "dependencies": {"__proto__": {"version": "1.0.1"}}}}}`],
  ['lockfileVersion odd or absent', '{"lockfileVersion": "3", "packages": {}}'],
  ['lockfileVersion null', '{"lockfileVersion": null, "dependencies": 4}'],
  ['no lockfileVersion', '{"packages": {"node_modules/a": {"version": "1.0.0"}}}'],
  ['no sections', '{"lockfileVersion": 3}'],
  ['no sections, version 1', '{"lockfileVersion": 1, "name": "x"}'],
  ['empty object', '{}'],
  ['not an object', '[{"lockfileVersion": 3}]'],
  ['a string', '"package-lock"'],
  ['numbers of every shape', '{"lockfileVersion": 3e0, "n": [-0, 1E+2, 0.5e-3, 12],'
    + ' "packages": {"node_modules/a": {"version": "1.0.0", "n": -12.5E-1}}}'],
  ['deep arrays within the bound', v3(`"node_modules/a": {"version": "1.0.0", "x": ${
    '['.repeat(250)}${']'.repeat(250)}}`)],
  ['deep arrays beyond the bound', v3(`"node_modules/a": {"version": "1.0.0", "x": ${
    '['.repeat(300)}${']'.repeat(300)}}`)],
];

test('hostile but valid lockfiles: the same result from both readers', () => {
  for (const [what, text] of HOSTILE) {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    for (const [variant, changed] of variants(text)) same(changed, `${what} (${variant})`);
  }
  assert.equal(takesFastPath(HOSTILE.find(([w]) => w === 'deep arrays beyond the bound')![1]),
    false, 'nesting beyond the bound goes to the tolerant reader, which refuses it');
  assert.equal(takesFastPath(HOSTILE.find(([w]) => w === 'escapes in keys and values')![1]), true);
});

test('v1 nesting at every depth up to the bound and beyond it', () => {
  for (const levels of [1, 2, 50, 126, 127, 128, 129, 200]) {
    let text = '{"lockfileVersion":1,"dependencies":';
    for (let i = 0; i < levels; i++) text += `{"p${i}":{"version":"1.0.${i}","dependencies":`;
    text += '{}' + '}}'.repeat(levels) + '}';
    const result = same(text, `${levels} levels`);
    assert.equal(result.ok, levels < 128, `${levels} levels: ok`);
  }
});


const NAMES = ['a', '@s/b', '__proto__', 'constructor', '0', '\u00e9', '\u{1F600}', 'x"y', 'x\\',
  'c/node_modules/d', ''];
const FIELDS = ['version', 'resolved', 'integrity', 'name', 'link', 'dev', 'optional', 'peer',
  'inBundle', 'bundled', 'dependencies', 'requires', 'odd', '__proto__', '1'];
const VALUES = ['"1.0.0"', '"npm:@s/q@2.0.0"', '"git+https://h/r.git#0123456789abcdef"',
  '"file:../x"', '"https://r/a/-/a-1.0.0.tgz"', '"https://t/a.tgz"', '"sha512-AAAA sha1-BB== x"',
  'true', 'false', 'null', '3', '-1e3', '[]', '{}', '{"a":[{}]}', '"\\u00e9\\n\\"\\\\"', '""'];

/** A random lockfile in raw JSON text, with duplicates, escapes and odd whitespace. */
function randomLockfile(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const space = (): string => pick(['', ' ', '\n', '\r\n  ', '\t', '\r']);
  const key = (name: string): string =>
    space() + (r() < 0.2 ? JSON.stringify(name).replace(/a/g, '\\u0061') : JSON.stringify(name))
      + space() + ':' + space();
  const entry = (depth: number): string => {
    const fields: string[] = [];
    const n = Math.floor(r() * 6);
    for (let i = 0; i < n; i++) {
      const field = pick(FIELDS);
      const nested = field === 'dependencies' && depth < 4 && r() < 0.7;
      fields.push(key(field) + (nested ? list(depth + 1) : pick(VALUES)) + space());
    }
    return `{${fields.join(',')}}`;
  };
  const list = (depth: number): string => {
    const members: string[] = [];
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      members.push(key(pick(NAMES)) + (r() < 0.85 ? entry(depth) : pick(VALUES)) + space());
    }
    return `{${members.join(',')}}`;
  };
  const packages = (): string => {
    const members: string[] = [];
    const n = Math.floor(r() * 6);
    for (let i = 0; i < n; i++) {
      const folder = pick(['node_modules/', 'node_modules/q/node_modules/', 'packages/', '']);
      members.push(key(folder + pick(NAMES)) + (r() < 0.85 ? entry(4) : pick(VALUES)));
    }
    return `{${members.join(',')}}`;
  };
  const root: string[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const what = pick(['lockfileVersion', 'packages', 'dependencies', 'name', 'packages']);
    const value = what === 'lockfileVersion' ? pick(['1', '2', '3', '"3"', 'null', '4'])
      : what === 'packages' ? (r() < 0.8 ? packages() : pick(VALUES))
        : what === 'dependencies' ? (r() < 0.8 ? list(0) : pick(VALUES))
          : pick(VALUES);
    root.push(key(what) + value);
  }
  return `${space()}{${root.join(',')}}${space()}`;
}

test('seeded random lockfiles: the same result from both readers', () => {
  let fast = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const text = randomLockfile(seededRandom(seed));
    JSON.parse(text);
    same(text, `seed ${seed}:\n${text}\n`);
    if (takesFastPath(text)) fast++;
  }
  assert.equal(fast, 3000, 'every random lockfile is read by the fast path');
});
