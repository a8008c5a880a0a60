import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LockfileFormat } from '../../server/src/core/types';
import { parseLockfile } from '../../server/src/parsers';
import { diffDependencies, type DependencyChange } from '../../server/src/review/diff';
import { gemfileLock, goSum, packageLock, pom } from './helpers';

function parse(format: LockfileFormat, text: string) {
  const result = parseLockfile(format, text, { path: `/repo/${format}` });
  assert.ok(result.ok, JSON.stringify(result.problems));
  return result.dependencies;
}

function summary(changes: DependencyChange[]): string[] {
  return changes
    .map((c) => {
      const d = (c.after ?? c.before)!;
      const kind = d.checksumOf === 'go.mod' ? '/go.mod' : '';
      return `${c.kind} ${d.name}${kind} ${c.before?.version ?? '-'}→${c.after?.version ?? '-'}`;
    })
    .sort();
}

describe('diffDependencies', () => {
  test('identical lockfiles have no changes', () => {
    const text = packageLock([{ name: 'a', version: '1.0.0' }]);
    assert.deepEqual(
      diffDependencies(parse('package-lock', text), parse('package-lock', text)),
      [],
    );
  });

  test('npm: entries are matched by install path, so a nested copy is its own entry', () => {
    const before = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app' },
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-AAAA' },
        'node_modules/b/node_modules/a': { version: '2.0.0', integrity: 'sha512-BBBB' },
      },
    });
    const after = before.replace(
      '"version":"2.0.0","integrity":"sha512-BBBB"',
      '"version":"2.1.0","integrity":"sha512-CCCC"',
    );
    assert.deepEqual(
      summary(diffDependencies(parse('package-lock', before), parse('package-lock', after))),
      ['changed a 2.0.0→2.1.0'],
    );
  });

  test('go.sum: one version out and one in is a bump; several stay additions and removals', () => {
    const one = parse('go-sum', goSum([{ name: 'a', version: '1.0.0' }]));
    const bumped = parse('go-sum', goSum([{ name: 'a', version: '1.1.0' }]));
    assert.deepEqual(summary(diffDependencies(one, bumped)), [
      'changed example.com/a v1.0.0→v1.1.0',
      'changed example.com/a/go.mod v1.0.0→v1.1.0',
    ]);
    const two = parse(
      'go-sum',
      goSum([
        { name: 'a', version: '1.1.0' },
        { name: 'a', version: '1.2.0' },
      ]),
    );
    assert.deepEqual(
      summary(diffDependencies(one, two)),
      [
        'added example.com/a -→v1.1.0',
        'added example.com/a -→v1.2.0',
        'added example.com/a/go.mod -→v1.1.0',
        'added example.com/a/go.mod -→v1.2.0',
        'removed example.com/a v1.0.0→-',
        'removed example.com/a/go.mod v1.0.0→-',
      ].sort(),
    );
  });

  test('go.sum: a go.mod-only line is an entry of its own', () => {
    const before = goSum([{ name: 'a', version: '1.0.0' }]);
    const after = before + 'example.com/b v0.1.0/go.mod h1:' + 'B'.repeat(43) + '=\n';
    assert.deepEqual(summary(diffDependencies(parse('go-sum', before), parse('go-sum', after))), [
      'added example.com/b/go.mod -→v0.1.0',
    ]);
  });

  test('Gemfile.lock: the same gem for two platforms is two entries', () => {
    const base = gemfileLock([{ name: 'rake', version: '13.0.6' }]);
    const withNative = base.replace(
      '    rake (13.0.6)\n',
      '    nokogiri (1.15.4)\n    nokogiri (1.15.4-x86_64-linux)\n    rake (13.0.6)\n',
    );
    const bumpedNative = withNative.replace(
      'nokogiri (1.15.4-x86_64-linux)',
      'nokogiri (1.16.0-x86_64-linux)',
    );
    assert.deepEqual(
      summary(
        diffDependencies(parse('gemfile-lock', withNative), parse('gemfile-lock', bumpedNative)),
      ),
      ['changed nokogiri 1.15.4→1.16.0'],
    );
    assert.deepEqual(
      summary(diffDependencies(parse('gemfile-lock', base), parse('gemfile-lock', withNative))),
      ['added nokogiri -→1.15.4', 'added nokogiri -→1.15.4'],
    );
  });

  test('pom.xml: a classifier makes another entry; a version bump is a change', () => {
    const before = pom([{ name: 'lib', version: '1.0.0' }]);
    const after = pom([{ name: 'lib', version: '1.1.0' }]).replace(
      '  </dependencies>',
      '    <dependency>\n      <groupId>org.example</groupId>\n      <artifactId>lib</artifactId>\n      <version>1.1.0</version>\n      <classifier>tests</classifier>\n    </dependency>\n  </dependencies>',
    );
    assert.deepEqual(summary(diffDependencies(parse('pom', before), parse('pom', after))), [
      'added org.example:lib -→1.1.0',
      'changed org.example:lib 1.0.0→1.1.0',
    ]);
  });

  test('entries that only moved within the file are no change', () => {
    const a = packageLock([
      { name: 'a', version: '1.0.0' },
      { name: 'b', version: '2.0.0' },
    ]);
    const moved = packageLock([
      { name: 'b', version: '2.0.0' },
      { name: 'a', version: '1.0.0' },
    ]);
    const before = parse('package-lock', a);
    const after = parse('package-lock', moved);
    const lineOf = (deps: typeof before, name: string) =>
      deps.find((d) => d.name === name)!.range.start.line;
    assert.notEqual(lineOf(before, 'a'), lineOf(after, 'a'), 'the entry moved');
    assert.deepEqual(diffDependencies(before, after), []);
  });
});
