import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { digestChanges, FORMATS, Sandbox } from './helpers';

const BASELINE = [
  { name: 'alpha', version: '1.0.0' },
  { name: 'bravo', version: '1.0.0' },
  { name: 'charlie', version: '1.0.0' },
];

for (const f of FORMATS) {
  describe(`review --staged on ${f.file}`, () => {
    const s = new Sandbox();
    after(() => s.remove());

    test('the first commit of a repository: every staged entry is added', () => {
      s.write(f.file, f.write(BASELINE));
      s.git('add', f.file);
      const { status, review } = s.reviewJson('--staged');
      assert.equal(status, 1, 'unknown dependencies block without --allow-unknown');
      assert.equal(review.base.commit, null);
      assert.equal(review.lockfiles.length, 1);
      assert.equal(review.lockfiles[0].relativePath, f.file);
      assert.ok(review.lockfiles[0].changes.length >= 3);
      assert.ok(
        review.lockfiles[0].changes.every(
          (c) => c.kind === 'added' && c.verdict === 'unknown' && c.blocks,
        ),
      );

      const allowed = s.deptrust('review', '--staged', '--allow-unknown');
      assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
      s.git('commit', '-q', '--no-verify', '-m', 'baseline');
    });

    test('bump, add, remove and re-pin, each with its verdict', () => {
      s.trustAll(f.file);
      const next = [
        { name: 'alpha', version: '2.0.0' },
        ...(f.checksums
          ? [{ name: 'bravo', version: '1.0.0', salt: 'tampered' }]
          : [{ name: 'bravo', version: '1.0.0' }]),
        { name: 'delta', version: '1.0.0' },
      ];
      s.write(f.file, f.write(next));
      s.git('add', f.file);
      const { status, review, stderr } = s.reviewJson('--staged');
      assert.equal(status, 1, stderr);
      assert.equal(review.blocked, true);
      const changes = review.lockfiles[0].changes;
      const expected = [
        'added delta -→1.0.0 unknown blocks',
        'changed alpha 1.0.0→2.0.0 unknown blocks',
        'removed charlie 1.0.0→- trusted',
        ...(f.checksums ? ['changed bravo 1.0.0→1.0.0 mismatch blocks'] : []),
      ];
      // go.sum also pins each version's go.mod file: the same changes, once more for go.mod.
      const seen = digestChanges(
        changes.filter((c) => (c.after ?? c.before)!.checksumOf !== 'go.mod'),
      );
      const name = (c: string) => c.replace(/example\.com\/|org\.example:/g, '');
      assert.deepEqual(seen.map(name), expected.sort());

      const repin = changes.find((c) => c.name.endsWith('bravo') && c.kind === 'changed');
      if (f.checksums) {
        assert.ok(repin, 'the re-pinned entry is a change');
        assert.notEqual(repin.before!.checksum, repin.after!.checksum);
        assert.match(repin.summary, /same version, different content/);
      } else assert.equal(repin, undefined);

      const bump = changes.find((c) => c.name.endsWith('alpha'))!;
      assert.equal(
        bump.kind,
        'changed',
        'a version bump is one change, not an addition and a removal',
      );
      const lines = fs.readFileSync(path.join(s.repo, f.file), 'utf8').split('\n');
      const { start, end } = bump.after!.range;
      const text = lines.slice(start.line, end.line + 1).join('\n');
      assert.match(
        text,
        /alpha[\s\S]*2\.0\.0/,
        'the change points at its entry in the staged file',
      );
    });

    test('--allow-unknown still blocks a mismatch; trusted changes pass', () => {
      const r = s.deptrust('review', '--staged', '--allow-unknown');
      assert.equal(r.status, f.checksums ? 1 : 0, r.stdout + r.stderr);
      if (f.checksums) assert.match(r.stderr, /same version with other content/);

      s.git('reset', '-q', '--', f.file);
      s.git('checkout', '--', f.file);
      s.write(f.file, f.write([BASELINE[0], BASELINE[1]]));
      s.git('add', f.file);
      const removal = s.reviewJson('--staged');
      assert.equal(removal.status, 0, removal.stderr);
      assert.deepEqual(
        removal.review.lockfiles[0].changes.map((c) => c.kind),
        removal.review.lockfiles[0].changes.map(() => 'removed'),
      );
    });
  });
}

describe('review output and guidance', () => {
  const s = new Sandbox('alice');
  after(() => s.remove());

  test('text output names the entries and what to do', () => {
    s.write('package-lock.json', FORMATS[0].write(BASELINE));
    s.commit('baseline', 'package-lock.json');
    s.write('.deptrust/policy.json', policyWith(s));
    s.write(
      'package-lock.json',
      FORMATS[0].write([...BASELINE, { name: 'evil', version: '6.6.6' }]),
    );
    s.git('add', 'package-lock.json');
    const r = s.deptrust('review', '--staged');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /package-lock\.json \(npm\)/);
    assert.match(r.stdout, /added!\s+unknown\s+evil\s+\+ 6\.6\.6\s+\d+/);
    assert.match(r.stderr, /deptrust notarize package-lock\.json:\d+/);
    assert.match(r.stderr, /or ask alice, security, whose decisions count/);
    assert.match(r.stderr, /pin another version/);
  });

  test('a change of the policy itself is pointed out', () => {
    s.git('add', '.deptrust/policy.json');
    const { review } = s.reviewJson('--staged');
    assert.deepEqual(review.policyChanges, ['.deptrust/policy.json']);
    const text = s.deptrust('review', '--staged');
    assert.match(text.stdout, /Note: this change also edits the trust policy \.deptrust\/policy\.json/);
    s.git('reset', '-q', '--', '.deptrust/policy.json');
    assert.deepEqual(s.reviewJson('--staged').review.policyChanges, []);
  });

  test('--base compares the working tree, untracked lockfiles included', () => {
    s.write('sub/go.sum', FORMATS[1].write([{ name: 'x', version: '1.0.0' }]));
    const { status, review, stderr } = s.reviewJson('--base', 'HEAD');
    assert.equal(status, 1, stderr);
    const files = review.lockfiles.map((l) => l.relativePath).sort();
    assert.deepEqual(files, ['package-lock.json', 'sub/go.sum']);
    assert.equal(review.base.label, 'HEAD');
  });

  test('lockfiles under node_modules are not reviewed', () => {
    s.write(
      'node_modules/dep/package-lock.json',
      FORMATS[0].write([{ name: 'inner', version: '1.0.0' }]),
    );
    const { review } = s.reviewJson('--base', 'HEAD');
    assert.ok(review.lockfiles.every((l) => !l.relativePath.includes('node_modules')));
  });
});

/** A policy naming the sandbox's own key and a security team with a veto. */
function policyWith(s: Sandbox): string {
  const key = s.identity.publicKey;
  const other = 'ed25519:' + Buffer.alloc(32, 7).toString('base64');
  return JSON.stringify({
    version: 1,
    actors: [
      { name: 'alice', key, roles: ['dev'] },
      { name: 'security', key: other, roles: ['security'] },
    ],
    rules: { veto: ['security'], trust: [{ roles: ['dev', 'security'], count: 1 }] },
  });
}
