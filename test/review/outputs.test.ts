import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv from 'ajv-draft-04';
import type * as Sarif from 'sarif';
import { gemfileLock, goSum, packageLock, Sandbox } from './helpers';

/** The official SARIF 2.1.0 schema (JSON Schema draft 4), as a published npm package ships it. */
function sarifSchema(): object {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('review --format json and sarif', () => {
  const s = new Sandbox();
  after(() => s.remove());

  before(() => {
    s.write(
      'package-lock.json',
      packageLock([
        { name: 'alpha', version: '1.0.0' },
        { name: 'bravo', version: '1.0.0' },
      ]),
    );
    s.write('ruby/Gemfile.lock', gemfileLock([{ name: 'rake', version: '13.0.6' }]));
    s.trustAll('package-lock.json');
    s.trustAll('ruby/Gemfile.lock');
    s.commit('baseline', 'package-lock.json', 'ruby/Gemfile.lock');
    s.write(
      'package-lock.json',
      packageLock([
        { name: 'alpha', version: '1.0.0', salt: 'x' },
        { name: 'bravo', version: '1.0.0' },
        { name: 'delta', version: '0.1.0' },
      ]),
    );
    s.write('ruby/Gemfile.lock', gemfileLock([{ name: 'rake', version: '13.1.0' }]));
    s.git('add', '.');
  });

  test('json: repository, base, lockfiles, changes with before and after', () => {
    const { status, review } = s.reviewJson('--staged');
    assert.equal(status, 1);
    assert.equal(review.repository, fs.realpathSync(s.repo));
    assert.equal(review.base.label, 'HEAD');
    assert.equal(review.base.commit, s.git('rev-parse', 'HEAD').trim());
    assert.deepEqual(review.problems, []);
    const npm = review.lockfiles.find((l) => l.relativePath === 'package-lock.json')!;
    const alpha = npm.changes.find((c) => c.name === 'alpha')!;
    assert.equal(alpha.kind, 'changed');
    assert.equal(alpha.verdict, 'mismatch');
    assert.equal(alpha.before!.version, '1.0.0');
    assert.notEqual(alpha.before!.checksum, alpha.after!.checksum);
    const gems = review.lockfiles.find((l) => l.relativePath === 'ruby/Gemfile.lock')!;
    assert.deepEqual(
      gems.changes.map((c) => [c.kind, c.name, c.before?.version, c.after?.version]),
      [['changed', 'rake', '13.0.6', '13.1.0']],
    );
  });

  test("sarif: valid against the SARIF 2.1.0 schema, results on the entries' lines", () => {
    const r = s.deptrust('review', '--staged', '--format', 'sarif');
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(sarifSchema());
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));

    const { review } = s.reviewJson('--staged');
    const run = log.runs[0];
    const expected = review.lockfiles.flatMap((l) =>
      l.changes
        .filter((c) => c.kind !== 'removed' && c.verdict !== 'trusted')
        .map(
          (c) =>
            `${c.verdict} ${l.relativePath}:${c.after!.range.start.line + 1}:${c.after!.range.start.character + 1}`,
        ),
    );
    const got = (run.results ?? []).map((res) => {
      const loc = res.locations![0].physicalLocation!;
      return `${res.ruleId!.replace('deptrust/', '')} ${loc.artifactLocation!.uri}:${loc.region!.startLine}:${loc.region!.startColumn}`;
    });
    assert.deepEqual(got.sort(), expected.sort());
    assert.ok(got.some((g) => g.startsWith('mismatch package-lock.json:')));
    assert.ok((run.results ?? []).every((res) => res.level === 'error'));
    assert.deepEqual(run.tool.driver.rules!.map((rule) => rule.id).sort(), [
      'deptrust/mismatch',
      'deptrust/unknown',
    ]);

    const lines = fs.readFileSync(path.join(s.repo, 'package-lock.json'), 'utf8').split('\n');
    const delta = run.results!.find((res) => res.message.text!.includes('delta'))!;
    assert.match(
      lines[delta.locations![0].physicalLocation!.region!.startLine! - 1],
      /"node_modules\/delta"/,
    );
  });
});

describe('review on merges', () => {
  const s = new Sandbox();
  after(() => s.remove());

  test("a merge brings in the other branch's dependencies; the hook blocks the merge commit", () => {
    s.write('go.sum', goSum([{ name: 'a', version: '1.0.0' }]));
    s.trustAll('go.sum');
    s.commit('baseline', 'go.sum');
    s.git('checkout', '-q', '-b', 'feature');
    s.write(
      'go.sum',
      goSum([
        { name: 'a', version: '1.0.0' },
        { name: 'b', version: '2.0.0' },
      ]),
    );
    s.commit('add b', 'go.sum');
    s.git('checkout', '-q', 'main');
    s.write('README.md', 'main moves on\n');
    s.commit('readme', 'README.md');

    s.git('merge', '--no-ff', '--no-commit', 'feature');
    const { status, review } = s.reviewJson('--staged');
    assert.equal(status, 1);
    assert.equal(review.merging, s.git('rev-parse', 'feature').trim());
    assert.deepEqual(
      review.lockfiles[0].changes
        .map((c) => `${c.kind} ${c.name} ${c.after?.checksumOf ?? 'zip'}`)
        .sort(),
      ['added example.com/b go.mod', 'added example.com/b zip'],
    );

    assert.equal(s.deptrust('hook', 'install').status, 0);
    const blocked = s.run('git', ['commit', '--no-edit']);
    assert.notEqual(blocked.status, 0);
    assert.match(blocked.stderr, /example\.com\/b/);
    s.trustAll('go.sum');
    const merged = s.run('git', ['commit', '--no-edit']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(s.git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length, 3);
  });

  test('unresolved conflicts in a lockfile stop the review with exit 2', () => {
    s.git('checkout', '-q', '-b', 'left');
    s.write(
      'go.sum',
      goSum([
        { name: 'a', version: '1.0.0' },
        { name: 'c', version: '1.0.0' },
      ]),
    );
    s.commit('c', 'go.sum');
    s.git('checkout', '-q', 'main');
    s.write(
      'go.sum',
      goSum([
        { name: 'a', version: '1.0.0' },
        { name: 'd', version: '1.0.0' },
      ]),
    );
    s.commit('d', 'go.sum');
    const merge = s.run('git', ['merge', 'left']);
    assert.notEqual(merge.status, 0, 'the merge conflicts');
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unresolved merge conflicts in go\.sum; resolve them.*\[GIT_UNMERGED\]/);
    s.git('merge', '--abort');
  });
});
