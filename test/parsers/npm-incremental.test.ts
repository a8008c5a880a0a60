// Typing inside one package-lock entry re-reads only that entry (reparsePackageLock). Whatever
// the edit, a result it gives must equal a whole parse of the same text: checked edit by edit,
// over chains of seeded edits of real lockfiles, each edit starting from the last result.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ParseResult } from '../../server/src/core/types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { headRanges, textLines, type Lines } from '../../server/src/lsp/analysis';
import { parsePackageLock, reparsePackageLock } from '../../server/src/parsers/npm/packageLock';
import { seededRandom } from '../helpers/random';
import { sharedPath } from '../helpers/shared';

/** The lines as the language server reads them from an open document. */
function documentLines(text: string): () => Lines {
  const doc = TextDocument.create('file:///project/package-lock.json', 'json', 1, text);
  return () => ({
    lineCount: doc.lineCount,
    lineText: (line) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }),
  });
}

const FIXTURES = path.join(__dirname, 'fixtures', 'npm');
const OPTIONS = { path: '/project/package-lock.json' };

/** Lockfiles with a `packages` section: the real ones and this project's fixtures. */
function packagesLockfiles(): Array<{ name: string; text: string }> {
  const files: string[] = [];
  const corpus = sharedPath('corpus', 'npm');
  for (const f of fs.readdirSync(corpus)) files.push(path.join(corpus, f));
  files.push(sharedPath('bench', 'npm', 'package-lock.json'));
  files.push(sharedPath('bench', 'npm', 'vscode-js-debug.package-lock.json'));
  for (const f of fs.readdirSync(FIXTURES)) files.push(path.join(FIXTURES, f));
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: path.basename(f), text: fs.readFileSync(f, 'utf8') }))
    .filter(({ text }) => text.includes('"packages"'));
}

/** Mostly what typing in a value writes, sometimes what changes the JSON's structure. */
const TYPED = ['1', '9', '.', '-', 'a', 'Z', '@', '/', '~', ' ', '\u00e9', '\u{1F600}', ''];
const STRUCTURAL = ['"', '\\', '\n', '{', '}', ',', ':', '\r\n', '\t'];

function edit(text: string, r: () => number): string {
  // Mostly inside a string value (a version, a URL, a hash), sometimes just after any quote.
  const from = Math.floor(r() * text.length);
  const value = text.indexOf('": "', from);
  const quote = text.indexOf('"', from);
  const anchor = r() < 0.8 && value >= 0 ? value + 4 : quote + 1;
  const at = (anchor > 0 ? anchor : 1) + Math.floor(r() * 3);
  const removed = Math.floor(r() * 3);
  const pool = r() < 0.1 ? STRUCTURAL : TYPED;
  let inserted = '';
  for (let n = 1 + Math.floor(r() * 2); n > 0; n--) inserted += pool[Math.floor(r() * pool.length)];
  return text.slice(0, at) + inserted + text.slice(Math.min(text.length, at + removed));
}

/**
 * A digit of some entry's version changed, in a lockfile npm wrote: the edit the quick path is
 * for, which it must take whatever edits came before.
 */
function versionEdit(text: string, r: () => number): string {
  const packages = text.indexOf('"packages"');
  const first = text.indexOf('"node_modules/', packages);
  const mirror = text.indexOf('\n  "dependencies"', packages);
  const limit = mirror < 0 ? text.length : mirror;
  let at = text.indexOf('"version": "', first + Math.floor(r() * (limit - first)));
  if (at < 0 || at > limit) at = text.indexOf('"version": "', first);
  const digit = at + '"version": "'.length;
  // Earlier edits may have left anything there; an empty version gets a digit.
  const d = text.charCodeAt(digit) - 0x30;
  const replaced = text[digit] === '"' ? 0 : 1;
  return text.slice(0, digit) + String(d >= 0 && d <= 8 ? d + 1 : 0) + text.slice(digit + replaced);
}

test('an entry read again after an edit equals a whole parse, over chains of seeded edits', () => {
  const files = packagesLockfiles();
  assert.ok(files.length >= 3, 'expected real package-lock files with a packages section');
  let edits = 0;
  let incremental = 0;
  for (const { name, text: original } of files) {
    for (const [layout, start] of [['LF', original], ['CRLF', original.replace(/\r?\n/g, '\r\n')]]) {
      const seed = edits + 17;
      const r = seededRandom(seed);
      let text = start;
      let previous = { text, result: parsePackageLock(text, OPTIONS) };
      let heads = headRanges(previous.result.dependencies, textLines(text));
      const written = name.endsWith('package-lock.json');
      const steps = text.length > 200_000 ? 30 : 60;
      for (let i = 0; i < steps; i++) {
        const versioned = written && i % 5 === 4;
        const next = versioned ? versionEdit(text, r) : edit(text, r);
        const whole = parsePackageLock(next, OPTIONS);
        const quick = reparsePackageLock(previous, next, OPTIONS);
        edits++;
        if (versioned) assert.ok(quick, `${name} (${layout}, seed ${seed}, edit ${i}): a version edit was read whole`);
        if (quick) {
          incremental++;
          assert.deepStrictEqual(quick, whole,
            `${name} (${layout}, seed ${seed}, edit ${i}): re-reading one entry differs from a whole parse`);
          // The editor takes over the diagnostic lines of the entries kept as they were.
          const kept = headRanges(quick.dependencies, documentLines(next), { dependencies: previous.result.dependencies, heads });
          assert.deepStrictEqual(kept, headRanges(quick.dependencies, textLines(next)),
            `${name} (${layout}, seed ${seed}, edit ${i}): diagnostic lines taken over differ from lines found afresh`);
        }
        // A text that does not parse is no starting point (the language server parses the next
        // version whole); the chain goes on from the last one that did.
        if (!whole.ok) continue;
        text = next;
        previous = { text, result: quick ?? whole };
        heads = headRanges(previous.result.dependencies, textLines(text));
      }
    }
  }
  // The test is only worth its name if the edits mostly take the quick path.
  assert.ok(incremental > edits * 0.3, `only ${incremental} of ${edits} edits re-read one entry`);
});

test('an edit of a version re-reads that entry only; edits of keys, lines or structure do not', () => {
  const text = [
    '{',
    '  "name": "p",',
    '  "lockfileVersion": 3,',
    '  "packages": {',
    '    "": { "name": "p" },',
    '    "node_modules/a": {',
    '      "version": "1.0.0",',
    '      "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz"',
    '    },',
    '    "node_modules/b": {',
    '      "version": "2.0.0"',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  const previous = { text, result: parsePackageLock(text, OPTIONS) };
  const check = (next: string): ParseResult | undefined => {
    const quick = reparsePackageLock(previous, next, OPTIONS);
    if (quick) assert.deepStrictEqual(quick, parsePackageLock(next, OPTIONS));
    return quick;
  };

  const bumped = check(text.replace('"1.0.0"', '"1.0.1"'));
  assert.ok(bumped, 'a version edit is read incrementally');
  assert.equal(bumped.dependencies[0].purl, 'pkg:npm/a@1.0.1');
  assert.equal(bumped.dependencies[1], previous.result.dependencies[1], 'other entries are kept as they were');

  assert.equal(check(text.replace('"node_modules/a"', '"node_modules/c"')), undefined, 'a key edit');
  assert.equal(check(text.replace('"1.0.0"', '"1.0.0\\n"')), undefined, 'an escape');
  assert.equal(check(text.replace('"1.0.0"', '"1.0.0", "x": "y"')), undefined, 'a new member');
  assert.equal(check(text.replace('"name": "p" }', '"name": "q" }')), undefined, 'the root entry');
  assert.equal(check(text.replace('"name": "p",', '"name": "pp",')), undefined, 'outside packages');
  assert.equal(check(text), undefined, 'no edit');
});

test('problems of the root and of neighbouring entries on an edited entry\'s first or last line stay', () => {
  // Entries may share a line with the root's fields or with the entries before and after them;
  // their problems are kept when the entry is read again (found by re-reading a line range).
  const cases = [
    ['a root problem on the entry\'s first line', [
      '{"name": "padding-padding-padding", "lockfileVersion": 7, "packages": {"node_modules/a": {',
      '  "version": "1.0.0"',
      '}}}',
    ]],
    ['an unknown field of the entry before, on the entry\'s first line', [
      '{"name": "padding-padding-padding", "lockfileVersion": 3, "packages": {',
      '"node_modules/z": {',
      '"version": "1", "zz": 1}, "node_modules/a": {',
      '  "version": "1.0.0"',
      '}}}',
    ]],
    ['an entry that is no object, on the entry\'s last line', [
      '{"name": "padding-padding-padding", "lockfileVersion": 3, "packages": {',
      '"node_modules/a": {',
      '  "version": "1.0.0"',
      '}, "node_modules/x": 5}}',
    ]],
  ] as const;
  for (const [what, lines] of cases) {
    const text = lines.join('\n') + '\n';
    const result = parsePackageLock(text, OPTIONS);
    assert.equal(result.problems.length, 1, `${what}: the problem is found by a whole parse`);
    const next = text.replace('"1.0.0"', '"1.0.1"');
    const quick = reparsePackageLock({ text, result }, next, OPTIONS);
    assert.ok(quick, `${what}: the version edit is read incrementally`);
    assert.deepStrictEqual(quick, parsePackageLock(next, OPTIONS), what);
  }
});
