// Every go.sum of the shared corpus must yield exactly the entries of its reference extraction
// in corpus/MANIFEST.md; the 869-line trivy file is checked by count and spot checks.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import type { Dependency } from '../../server/src/core/types';
import { parseGoSum } from '../../server/src/parsers/gosum/goSum';
import { readManifest, sharedPath } from '../helpers/shared';

function parseShared(...parts: string[]) {
  const file = sharedPath(...parts);
  const text = fs.readFileSync(file, 'utf8');
  return { text, result: parseGoSum(text, { path: file }) };
}

const goFiles = readManifest().filter((f) => f.file.startsWith('go/') && f.file.endsWith('.go.sum'));

test('the manifest lists the go.sum corpus', () => {
  const onDisk = fs.readdirSync(sharedPath('corpus', 'go')).filter((f) => f.endsWith('.go.sum')).sort();
  assert.deepEqual(goFiles.map((f) => f.file.slice('go/'.length)).sort(), onDisk);
});

for (const expected of goFiles) {
  test(`corpus ${expected.file}`, () => {
    const { result } = parseShared('corpus', expected.file);
    assert.equal(result.ok, true);
    assert.deepEqual(result.problems, []);

    if (expected.count !== undefined && expected.entries.length === 0) {
      assert.equal(result.dependencies.length, expected.count, 'entry count');
      return;
    }
    assert.equal(result.dependencies.length, expected.entries.length, 'entry count');
    expected.entries.forEach((entry, i) => {
      const actual = result.dependencies[i];
      const where = `${expected.file} entry ${i} (${entry.name}@${entry.version})`;
      assert.equal(actual.name, entry.name, `${where}: name`);
      assert.equal(actual.version, entry.version, `${where}: version`);
      assert.deepEqual(actual.range, entry.range, `${where}: range`);
      assert.equal(actual.checksumOf, entry.extras.hashKind, `${where}: hash kind`);
      const prefix = entry.extras.checksum.replace(/…$/, '');
      assert.ok(actual.checksum?.startsWith(prefix), `${where}: checksum starts with ${prefix}`);
      assert.deepEqual(actual.checksums, [actual.checksum]);
    });
  });
}

test('corpus: a version with only a go.mod line is source gomod, with a hint', () => {
  const { result } = parseShared('corpus', 'go', 'syft__go-sum-hashes.go.sum');
  const byLine = (line: number) => result.dependencies.find((d) => d.range.start.line === line) as Dependency;

  const replaced = byLine(0); // cyclonedx-go v0.6.0: only `v0.6.0/go.mod`
  assert.equal(replaced.source, 'gomod');
  assert.match(replaced.hint ?? '', /never downloads/);
  assert.equal(replaced.purl, 'pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.6.0');

  for (const line of [1, 2]) {
    assert.equal(byLine(line).source, 'registry', 'v0.7.0 has a zip line: both its lines are registry');
    assert.equal(byLine(line).hint, undefined);
  }
  assert.equal(byLine(1).checksumOf, 'zip');
  assert.equal(byLine(3).checksum, 'h1:licZJFw2RwpHMqeKTCYkitsPqHNxTmd4SNR5r94FGM8=');
});

test('corpus: the 869-line trivy go.sum, spot checks', () => {
  const { text, result } = parseShared('corpus', 'go', 'trivy__gomod_trivy.go.sum');
  assert.equal(result.dependencies.length, 869);
  assert.equal(text.split('\n').filter((l) => l.trim()).length, 869);

  const at = (line: number) => result.dependencies.find((d) => d.range.start.line === line - 1) as Dependency;
  const azure = at(35);
  assert.equal(azure.name, 'github.com/Azure/azure-sdk-for-go');
  assert.equal(azure.version, 'v38.0.0+incompatible');
  assert.equal(azure.checksumOf, 'go.mod');
  assert.equal(azure.source, 'gomod');
  assert.equal(azure.checksum, 'h1:9XXNKU+eRnpl9moKnB4QOLf1HestfXbmab5FXxiDBjc=');
  assert.deepEqual(azure.range, { start: { line: 34, character: 0 }, end: { line: 34, character: 109 } });
  assert.equal(azure.purl, 'pkg:golang/github.com/Azure/azure-sdk-for-go@v38.0.0+incompatible');

  assert.equal(at(58).name, 'github.com/Microsoft/go-winio');
  assert.equal(at(58).version, 'v0.4.15-0.20190919025122-fc70bd9a86b5');
  assert.equal(at(58).range.end.character, 122);
  assert.equal(at(136).name, 'github.com/docker/docker');
  assert.equal(at(136).version, 'v1.4.2-0.20190924003213-a8608b5b67c7');
  assert.equal(at(136).range.end.character, 116);

  // The one zip line of the file: trivy itself.
  const zips = result.dependencies.filter((d) => d.checksumOf === 'zip');
  assert.deepEqual(zips.map((d) => [d.name, d.version, d.source, d.range.start.line]), [
    ['github.com/aquasecurity/trivy', 'v0.16.0', 'registry', 81],
  ]);
});

test('bench go.sum files: every line yields one entry, in order', () => {
  for (const name of ['kubernetes.go.sum', 'terraform.go.sum']) {
    const { text, result } = parseShared('bench', 'go', name);
    assert.equal(result.ok, true, name);
    assert.deepEqual(result.problems, [], name);
    const lines = text.split('\n');
    const nonBlank = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim());
    assert.equal(result.dependencies.length, nonBlank.length, name);
    nonBlank.forEach(([line, i], k) => {
      const [module, version, hash] = line.trim().split(/\s+/);
      const d = result.dependencies[k];
      assert.equal(d.range.start.line, i);
      assert.equal(d.name, module);
      assert.equal(d.version, version.replace(/\/go\.mod$/, ''));
      assert.equal(d.checksumOf, version.endsWith('/go.mod') ? 'go.mod' : 'zip');
      assert.equal(d.checksum, hash);
    });
  }
});
