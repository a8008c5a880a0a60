import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readManifest } from './shared';

test('the corpus manifest is read whole', () => {
  const files = readManifest();
  assert.equal(files.length, 28);
  const alias = files.find((f) => f.file === 'npm/scalibr__alias.v1.json');
  assert.ok(alias);
  assert.equal(alias.entries.length, 3);
  assert.deepEqual(alias.entries[0].range, { start: { line: 4, character: 4 }, end: { line: 11, character: 5 } });
  assert.equal(files.find((f) => f.file === 'go/trivy__gomod_trivy.go.sum')?.count, 869);
  const total = files.reduce((n, f) => n + f.entries.length, 0);
  assert.equal(total, 179);
});
