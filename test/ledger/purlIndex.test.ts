import * as assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PurlIndex, purlHash, purlTextHash } from '../../server/src/ledger/purlIndex';
import { decision, sandbox, type Sandbox } from './helpers/ledgers';

/** Two different purls with the same 32-bit FNV-1a hash, found by the birthday bound. */
function collidingPurls(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const purl = `pkg:npm/collide-${i}@1.0.0`;
    const h = purlTextHash(purl);
    const other = seen.get(h);
    if (other) return [other, purl];
    seen.set(h, purl);
  }
}

describe('purl index', () => {
  let s: Sandbox;
  afterEach(() => s?.remove());

  it('hashes bytes with FNV-1a (32 bits)', () => {
    // Published FNV-1a test values: "" and "a".
    assert.equal(purlHash(new Uint8Array(0)), 0x811c9dc5);
    assert.equal(purlTextHash('a'), 0xe40c292c);
    assert.equal(purlHash(Buffer.from('xxabcxx'), 2, 5), purlTextHash('abc'));
  });

  it('hashes a purl as text exactly as its UTF-8 bytes, ASCII or not', () => {
    for (const purl of ['pkg:npm/left-pad@1.3.0', 'pkg:gem/caf\u00e9@1.0', 'pkg:npm/\u{1f600}@1', 'a\u007f\u0080']) {
      assert.equal(purlTextHash(purl), purlHash(Buffer.from(purl, 'utf8')), purl);
    }
  });

  it('returns every record filed under a hash, oldest first, across growth', () => {
    const index = new PurlIndex();
    const hashes = Array.from({ length: 20000 }, (_, i) =>
      i % 7 === 0 ? 42 : purlTextHash(`p${i}`),
    );
    hashes.forEach((h, i) => index.add(h, i));
    const expected = hashes
      .map((h, i) => [h, i])
      .filter(([h]) => h === 42)
      .map(([, i]) => i);
    assert.deepEqual(index.candidates(42), expected);
    assert.deepEqual(index.candidates(purlTextHash('p1')), [1]);
    assert.deepEqual(index.candidates(purlTextHash('absent')), []);
    assert.throws(() => index.add(1, 5), RangeError);
  });

  it('keeps purls with the same hash apart in lookups', async () => {
    const [a, b] = collidingPurls();
    assert.equal(purlTextHash(a), purlTextHash(b));
    s = sandbox();
    const ledger = await s.open();
    await ledger.append(decision(s.identity, a, 'trusted'));
    await ledger.append(decision(s.identity, b, 'untrusted', 'other package'));
    const found = await ledger.lookup([a, b, 'pkg:npm/none@1.0.0']);
    assert.deepEqual(
      found.get(a)?.map((r) => r.index),
      [0],
    );
    assert.deepEqual(
      found.get(b)?.map((r) => r.index),
      [1],
    );
    assert.equal(found.size, 2);
  });
});
