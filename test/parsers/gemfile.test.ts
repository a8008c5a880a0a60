import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gemPurl } from '../../server/src/core/purl';
import type { Dependency, ParseResult, Range } from '../../server/src/core/types';
import {
  CHECKSUM_RELATED_MESSAGE,
  parseGemfileLock,
} from '../../server/src/parsers/gemfile/gemfileLock';
import { readManifest, sharedPath } from '../helpers/shared';

const FIXTURES = path.join(__dirname, 'fixtures', 'gemfile');

function parseFile(file: string): ParseResult {
  return parseGemfileLock(fs.readFileSync(file, 'utf8'), { path: file });
}

function fixture(name: string): ParseResult {
  return parseFile(path.join(FIXTURES, name));
}

function byName(result: ParseResult, name: string, platform?: string): Dependency {
  const found = result.dependencies.find(
    (d) => d.name === name && d.details?.platform === platform,
  );
  assert.ok(found, `no entry ${name}${platform ? `-${platform}` : ''}`);
  return found;
}

function checksumStart(dep: Dependency): Range['start'] | undefined {
  return dep.details?.related?.find((r) => r.message === CHECKSUM_RELATED_MESSAGE)?.range.start;
}

/**
 * The manifest's `checksum at L<line>:<col>` extra has no `=`, so readManifest() leaves it out;
 * this reads it from the raw text, keyed by the entry's range as the manifest writes it.
 */
function manifestChecksumPositions(): Map<string, { line: number; character: number }> {
  const text = fs.readFileSync(sharedPath('corpus', 'MANIFEST.md'), 'utf8');
  const out = new Map<string, { line: number; character: number }>();
  const re = /checksum at L(\d+):(\d+)\] +`(L\d+:\d+–L\d+:\d+)`/g;
  let file = '';
  for (const line of text.split('\n')) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading) file = heading[1];
    for (const m of line.matchAll(re)) {
      out.set(`${file} ${m[3]}`, { line: Number(m[1]) - 1, character: Number(m[2]) - 1 });
    }
  }
  return out;
}

function manifestRange(r: Range): string {
  const at = (p: Range['start']): string => `L${p.line + 1}:${p.character + 1}`;
  return `${at(r.start)}–${at(r.end)}`;
}

test('every corpus Gemfile.lock yields the manifest reference extraction', () => {
  const files = readManifest().filter((f) => f.file.startsWith('rubygems/'));
  assert.equal(files.length, 8, 'the manifest lists 8 rubygems files');
  const positions = manifestChecksumPositions();
  let compared = 0;

  for (const file of files) {
    const result = parseFile(sharedPath('corpus', file.file));
    if (file.count !== undefined && file.entries.length === 0) {
      assert.equal(result.dependencies.length, file.count, `${file.file}: entry count`);
      continue;
    }
    assert.equal(result.dependencies.length, file.entries.length, `${file.file}: entry count`);
    file.entries.forEach((want, i) => {
      const got = result.dependencies[i];
      const where = `${file.file} entry ${i} (${want.name})`;
      assert.equal(got.name, want.name, where);
      assert.equal(got.version, want.version, where);
      assert.deepEqual(got.range, want.range, where);
      assert.equal(got.details?.platform, want.extras.platform, `${where}: platform`);
      assert.equal(got.details?.section, want.extras.source ?? 'GEM', `${where}: source`);

      const checksum = want.extras.checksum;
      if (checksum === undefined) {
        assert.equal(got.checksum, null, `${where}: no checksum`);
      } else {
        assert.ok(got.checksum?.startsWith(checksum.replace(/…$/, '')), `${where}: checksum`);
      }
      const position = positions.get(`${file.file} ${manifestRange(want.range)}`);
      assert.deepEqual(checksumStart(got), position, `${where}: checksum position`);
      compared++;
    });
  }
  assert.ok(compared >= 78, `compared ${compared} entries`);
});

test('the Rails lockfile yields 227 specs across GIT, PATH and GEM with platform variants', () => {
  const result = parseFile(sharedPath('corpus', 'rubygems', 'renovate__Gemfile.rails.lock'));
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  assert.equal(result.dependencies.length, 227);
  const sections = new Map<string, number>();
  for (const d of result.dependencies) {
    sections.set(d.details!.section!, (sections.get(d.details!.section!) ?? 0) + 1);
  }
  assert.equal(sections.get('GIT'), 3);
  assert.equal(sections.get('PATH'), 13);
  const bcrypt = result.dependencies.filter((d) => d.name === 'bcrypt');
  assert.deepEqual(bcrypt.map((d) => d.details?.platform ?? 'ruby').sort(), [
    'java',
    'ruby',
    'x64-mingw32',
    'x86-mingw32',
  ]);
});

test('every source section kind is read, in any order, and unknown sections are ignored', () => {
  const result = fixture('sources.lock');
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.dependencies.map(
      (d) => `${d.name}@${d.version}${d.details?.platform ? `-${d.details.platform}` : ''}`,
    ),
    [
      'plugged@0.4.1',
      'private-gem@2.0.0',
      'widget@1.2.3',
      'local-gem@0.0.1',
      'nokogiri@1.15.4',
      'nokogiri@1.15.4-x86_64-linux',
      'rack@3.0.8',
      'racc@1.7.1',
    ],
  );

  const widget = byName(result, 'widget');
  assert.equal(widget.source, 'git');
  assert.equal(widget.details?.commit, '0123456789abcdef0123456789abcdef01234567');
  assert.equal(
    widget.purl,
    'pkg:gem/widget@1.2.3?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Facme%2Fwidget.git' +
      '%400123456789abcdef0123456789abcdef01234567',
  );

  const local = byName(result, 'local-gem');
  assert.equal(local.source, 'local');
  assert.equal(local.purl, null);
  assert.match(local.hint ?? '', /vendor\/local-gem/);

  const nokogiri = byName(result, 'nokogiri');
  assert.equal(nokogiri.purl, gemPurl('nokogiri', '1.15.4'));
  assert.equal(nokogiri.source, 'registry');
  const linux = byName(result, 'nokogiri', 'x86_64-linux');
  assert.equal(linux.version, '1.15.4');
  assert.equal(linux.purl, 'pkg:gem/nokogiri@1.15.4?platform=x86_64-linux');
  assert.deepEqual(linux.range, {
    start: { line: 34, character: 4 },
    end: { line: 34, character: 34 },
  });

  // A gem from another server must never share the purl of the rubygems.org gem.
  const privateGem = byName(result, 'private-gem');
  assert.equal(
    privateGem.purl,
    'pkg:gem/private-gem@2.0.0?repository_url=https%3A%2F%2Fgems.example.com%2F',
  );
  const plugged = byName(result, 'plugged');
  assert.equal(plugged.details?.section, 'PLUGIN SOURCE');
  assert.notEqual(plugged.purl, gemPurl('plugged', '0.4.1'));

  assert.equal(
    result.dependencies.some((d) => d.name === 'notaspec' || d.name === 'racc (~>'),
    false,
  );
});

test('CHECKSUMS lines attach to the spec of the same name, version and platform', () => {
  const result = fixture('checksums.lock');
  assert.equal(result.ok, true);

  const bcrypt = byName(result, 'bcrypt');
  assert.equal(
    bcrypt.checksum,
    'sha256=8410f8c7b3ed54a3c00cd2456bf13917d695117f033218e2483b2e40b0784099',
  );
  assert.deepEqual(checksumStart(bcrypt), { line: 20, character: 18 });
  const java = byName(result, 'bcrypt', 'java');
  assert.match(java.checksum ?? '', /^sha256=a9f8e6a7/);
  assert.deepEqual(checksumStart(java), { line: 21, character: 23 });

  const ffi = byName(result, 'ffi');
  assert.equal(ffi.checksums.length, 2);
  assert.match(ffi.checksum ?? '', /^sha512=AAECAw/, 'the strongest algorithm is the checksum');
  assert.equal(ffi.checksums[1], 'sha256=gUgow08TFdfnt-gpUYRXfMTpabphVpqsadAtY_WNguI=');
  const related = ffi.details?.related?.[0];
  assert.equal(related?.uri, `file://${path.join(FIXTURES, 'checksums.lock')}`);
  assert.equal(related?.range.end.character, 15 + ffi.checksums.join(',').length);

  const json = byName(result, 'json');
  assert.equal(json.checksum, null);
  assert.deepEqual(json.checksums, []);
  assert.equal(byName(result, 'rake').checksum, null);

  const unused = result.problems.filter((p) => p.code === 'GEMFILE_CHECKSUM_UNUSED');
  assert.equal(unused.length, 1);
  assert.equal(unused[0].range.start.line, 24);
});

test('git merge-conflict markers are errors at their lines', () => {
  const result = fixture('conflict.lock');
  assert.equal(result.ok, false);
  const markers = result.problems.filter((p) => p.code === 'GEMFILE_CONFLICT_MARKER');
  assert.deepEqual(
    markers.map((p) => p.range.start.line),
    [3, 5, 7],
  );
  assert.ok(
    markers.every((p) => p.severity === 'error' && /line \d+: git merge-conflict/.test(p.message)),
  );
});

test('broken lines become positioned problems and the good entries stay', () => {
  const result = fixture('malformed.lock');
  assert.deepEqual(
    result.dependencies.map((d) => `${d.name}@${d.version}`),
    ['good@1.0.0', 'ranged@null', 'after@2.0.0'],
  );
  const codes = result.problems.map((p) => `${p.range.start.line}:${p.code}`);
  assert.deepEqual(codes, [
    '4:GEMFILE_BAD_SPEC',
    '5:GEMFILE_BAD_VERSION',
    '6:GEMFILE_BAD_INDENT',
    '7:GEMFILE_BAD_INDENT',
    '11:GEMFILE_BAD_CHECKSUM',
    '13:GEMFILE_CHECKSUM_CONFLICT',
  ]);
  const ranged = byName(result, 'ranged');
  assert.equal(ranged.purl, null);
  assert.match(ranged.hint ?? '', /not an exact gem version/);
  // Both digests stay on the entry, so no single ledger record can agree with it silently.
  assert.deepEqual(byName(result, 'after').checksums, ['sha256=abcd', 'sha256=ef01']);
  assert.equal(byName(result, 'good').checksum, null);
});

test('a spec with no version is an entry without version or purl, and a warning', () => {
  const result = parseFile(sharedPath('corpus', 'rubygems', 'scalibr__invalid.lock'));
  assert.equal(result.dependencies.length, 1);
  const dep = result.dependencies[0];
  assert.equal(dep.version, null);
  assert.equal(dep.purl, null);
  assert.ok(dep.hint);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity, p.range.start.line]),
    [['GEMFILE_SPEC_NO_VERSION', 'warning', 3]],
  );
});

test('CRLF line breaks and a byte order mark give the same entries and ranges', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'checksums.lock'), 'utf8');
  const plain = parseGemfileLock(text, { path: '/x/Gemfile.lock' });
  const crlf = parseGemfileLock(`\uFEFF${text.replace(/\n/g, '\r\n')}`, {
    path: '/x/Gemfile.lock',
  });
  assert.equal(crlf.ok, true);
  assert.deepEqual(crlf.dependencies, plain.dependencies);
  assert.deepEqual(crlf.problems, plain.problems);
});

test('text with no source section says so instead of returning nothing silently', () => {
  for (const text of ['', 'PLATFORMS\n  ruby\n']) {
    const result = parseGemfileLock(text, { path: '/x/Gemfile.lock' });
    assert.equal(result.dependencies.length, 0);
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['GEMFILE_NO_SOURCES'],
    );
  }
});

test('truncated and garbled lockfiles never throw and keep every range inside the text', () => {
  const corpus = sharedPath('corpus', 'rubygems');
  const texts = fs.readdirSync(corpus).map((f) => fs.readFileSync(path.join(corpus, f), 'utf8'));
  let runs = 0;
  for (const text of texts) {
    for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 40))) {
      for (const variant of [
        text.slice(0, cut),
        `${text.slice(0, cut)}\t(\u00e9)\r${text.slice(cut + 3)}`,
      ]) {
        const result = parseGemfileLock(variant, { path: '/x/Gemfile.lock' });
        const lines = variant.split(/\r\n|\r|\n/);
        for (const item of [...result.dependencies, ...result.problems]) {
          const { start, end } = item.range;
          assert.ok(start.line < lines.length && end.line < lines.length, 'range past the end');
          assert.ok(end.character <= lines[end.line].length, 'range past the line end');
        }
        runs++;
      }
    }
  }
  assert.ok(runs > 500, `ran ${runs}`);
});

test('a GIT section without revision: gives entries without purl and one warning', () => {
  const text =
    'GIT\n  remote: https://example.com/x.git\n  specs:\n    a (1.0)\n    b (2.0)\n\n' +
    'DEPENDENCIES\n  a!\n  b!\n';
  const result = parseGemfileLock(text, { path: '/x/Gemfile.lock' });
  assert.deepEqual(
    result.dependencies.map((d) => [d.name, d.version, d.purl, d.source]),
    [
      ['a', '1.0', null, 'git'],
      ['b', '2.0', null, 'git'],
    ],
  );
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.range.start.line]),
    [['GEMFILE_GIT_NO_REVISION', 0]],
  );
});
