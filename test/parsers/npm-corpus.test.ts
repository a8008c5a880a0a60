// Every package-lock file of the shared corpus must yield exactly the entries of its reference
// extraction in corpus/MANIFEST.md: same order, names, versions, ranges and extras.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import type { Dependency } from '../../server/src/core/types';
import { parsePackageLock } from '../../server/src/parsers/npm/packageLock';
import { type ManifestEntry, readManifest, sharedPath } from '../helpers/shared';

const KIND: Record<string, Dependency['source']> = {
  registry: 'registry',
  git: 'git',
  link: 'link',
  'local-package': 'local',
};

function checkExtras(expected: ManifestEntry, actual: Dependency, where: string): void {
  const extras = expected.extras;
  if (extras.path !== undefined) assert.equal(actual.details?.path, extras.path, `${where}: path`);
  if (extras.kind !== undefined) {
    assert.ok(KIND[extras.kind], `${where}: manifest kind ${extras.kind} has no SourceKind`);
    assert.equal(actual.source, KIND[extras.kind], `${where}: kind`);
  }
  const flags = extras.flags ? extras.flags.split('/') : [];
  assert.deepEqual(actual.details?.flags ?? [], flags, `${where}: flags`);
  if (extras.checksum !== undefined) {
    const prefix = extras.checksum.replace(/…$/, '');
    const checksum = actual.checksum ?? '';
    assert.ok(checksum.startsWith(prefix), `${where}: checksum ${checksum} starts with ${prefix}`);
  } else {
    assert.equal(actual.checksum, null, `${where}: no checksum`);
  }
  if (extras.resolved !== undefined) {
    assert.ok(actual.hint?.includes(extras.resolved), `${where}: link target ${extras.resolved} in hint`);
  }
}

const npmFiles = readManifest().filter((f) => f.file.startsWith('npm/'));

test('the manifest lists the npm corpus', () => {
  const onDisk = fs.readdirSync(sharedPath('corpus', 'npm')).sort();
  assert.deepEqual(npmFiles.map((f) => f.file.slice('npm/'.length)).sort(), onDisk);
  for (const f of npmFiles) assert.ok(f.entries.length > 0, `${f.file} has reference entries`);
});

for (const expected of npmFiles) {
  test(`corpus ${expected.file}`, () => {
    const file = sharedPath('corpus', expected.file);
    const result = parsePackageLock(fs.readFileSync(file, 'utf8'), { path: file });

    assert.equal(result.ok, true);
    assert.deepEqual(result.problems.filter((p) => p.severity !== 'hint'), []);
    assert.equal(result.dependencies.length, expected.entries.length, 'entry count');
    expected.entries.forEach((entry, i) => {
      const actual = result.dependencies[i];
      const where = `${expected.file} entry ${i} (${entry.name})`;
      assert.equal(actual.name, entry.name, `${where}: name`);
      assert.equal(actual.version, entry.version, `${where}: version`);
      assert.deepEqual(actual.range, entry.range, `${where}: range`);
      assert.equal(actual.ecosystem, 'npm');
      checkExtras(entry, actual, where);
    });
  });
}

test('corpus: purls attach trust to registry versions and to git commits', () => {
  const read = (name: string) => {
    const file = sharedPath('corpus', 'npm', name);
    return parsePackageLock(fs.readFileSync(file, 'utf8'), { path: file }).dependencies;
  };

  const alias = read('scalibr__alias.v1.json');
  assert.equal(alias[0].purl, 'pkg:npm/%40babel/code-frame@7.0.0');
  assert.equal(alias[2].purl, 'pkg:npm/string-width@4.2.0');

  const commits = read('scalibr__commits.v2.json');
  const pixel = commits[0];
  assert.equal(pixel.details?.commit, '3b1bb80b302c2e552685dc8a029797ec832ea7c9');
  assert.equal(
    pixel.purl,
    'pkg:npm/%40segment/analytics.js-integration-facebook-pixel@2.4.1?vcs_url=' +
      encodeURIComponent('git+ssh://github.com/segmentio/analytics.js-integrations.git@'
        + '3b1bb80b302c2e552685dc8a029797ec832ea7c9'),
  );
  // Same name and version at two commits: two different purls.
  const isNumber1 = commits.filter((d) => d.name === 'is-number-1');
  assert.equal(isNumber1.length, 2);
  assert.notEqual(isNumber1[0].purl, isNumber1[1].purl);
  // The token in `https://dummy-token@github.com/...` never reaches the purl.
  const tokened = commits.find((d) => d.name === 'is-number-5');
  assert.ok(tokened?.purl && !tokened.purl.includes('dummy-token'), tokened?.purl ?? '');
  // raven-js has no version: the commit stands in for it in the purl.
  const raven = commits.find((d) => d.name === 'raven-js');
  assert.equal(raven?.version, null);
  assert.match(raven?.purl ?? '', /^pkg:npm\/raven-js@c2b377e7a254264fd4a1fe328e4e3cfc9e245570\?vcs_url=/);

  const workspace = read('trivy__package-lock_v3_with_workspace.json');
  for (const d of workspace.filter((d) => d.source === 'link' || d.source === 'local')) {
    assert.equal(d.purl, null, `${d.details?.path} is no trust subject`);
  }
  assert.equal(workspace.find((d) => d.details?.path === 'node_modules/ms')?.purl, 'pkg:npm/ms@2.0.0');
});
