import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  EMPTY_ROOT,
  MerkleTree,
  checkConsistency,
  checkInclusion,
  hashChildren,
  hashLeaf,
  toHex,
} from '../../server/src/ledger/merkle';
import { sharedPath } from '../helpers/shared';

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function vectorFiles(kind: 'inclusion' | 'consistency'): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json')) out.push(full);
    }
  };
  walk(sharedPath('vectors', 'merkle', kind));
  return out;
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

describe('RFC 9162 proof vectors (../shared/vectors/merkle)', () => {
  const inclusion = vectorFiles('inclusion');
  const consistency = vectorFiles('consistency');

  it('finds the vector files', () => {
    assert.ok(inclusion.length > 50, `only ${inclusion.length} inclusion vectors`);
    assert.ok(consistency.length > 50, `only ${consistency.length} consistency vectors`);
    const all = fs
      .readdirSync(sharedPath('vectors', 'merkle'), { recursive: true })
      .filter((f) => String(f).endsWith('.json'));
    assert.equal(inclusion.length + consistency.length, all.length, 'some vector files are not run');
  });

  for (const file of inclusion) {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as InclusionVector;
    const name = path.relative(sharedPath('vectors', 'merkle'), file);
    it(`inclusion ${name}: ${v.wantErr ? 'rejected' : 'verifies'}`, () => {
      const failure = checkInclusion(
        v.leafIdx,
        v.treeSize,
        b64(v.leafHash),
        (v.proof ?? []).map(b64),
        b64(v.root),
      );
      if (v.wantErr) assert.ok(failure, `${v.desc} was accepted`);
      else assert.equal(failure, undefined, `${v.desc}: ${failure}`);
    });
  }

  for (const file of consistency) {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as ConsistencyVector;
    const name = path.relative(sharedPath('vectors', 'merkle'), file);
    it(`consistency ${name}: ${v.wantErr ? 'rejected' : 'verifies'}`, () => {
      const failure = checkConsistency(
        v.size1,
        v.size2,
        b64(v.root1),
        b64(v.root2),
        (v.proof ?? []).map(b64),
      );
      if (v.wantErr) assert.ok(failure, `${v.desc} was accepted`);
      else assert.equal(failure, undefined, `${v.desc}: ${failure}`);
    });
  }
});

/** MTH of RFC 9162 section 2.1.1, written straight from the definition. */
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return hashLeaf(leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('MerkleTree', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
  const tree = new MerkleTree();
  for (const l of leaves) tree.append(hashLeaf(l));

  it('computes the RFC 9162 root for every size', () => {
    for (let n = 0; n <= leaves.length; n++) {
      assert.equal(toHex(tree.root(n)), toHex(referenceRoot(leaves.slice(0, n))), `size ${n}`);
    }
  });

  it('matches the root of the vectors tree (8 leaves of RFC 6962 test data)', () => {
    const data = [
      '',
      '00',
      '10',
      '2021',
      '3031',
      '40414243',
      '5051525354555657',
      '606162636465666768696a6b6c6d6e6f',
    ];
    const t = new MerkleTree();
    for (const d of data) t.append(hashLeaf(Buffer.from(d, 'hex')));
    const happy = JSON.parse(
      fs.readFileSync(sharedPath('vectors', 'merkle', 'inclusion', '1', 'happy-path.json'), 'utf8'),
    ) as InclusionVector;
    assert.equal(v64(t.root(8)), happy.root);
  });

  it('makes inclusion proofs that verify, and fail for another leaf', () => {
    for (let n = 1; n <= leaves.length; n += 3) {
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i, n);
        assert.equal(checkInclusion(i, n, tree.leafHash(i), proof, tree.root(n)), undefined);
        const other = tree.leafHash((i + 1) % leaves.length);
        if (n > 1) assert.ok(checkInclusion(i, n, other, proof, tree.root(n)));
      }
    }
  });

  it('makes consistency proofs that verify, and fail against a forked tree', () => {
    const fork = new MerkleTree();
    leaves.forEach((l, i) => fork.append(hashLeaf(i === 5 ? new Uint8Array([1]) : l)));
    for (let m = 1; m <= leaves.length; m += 2) {
      for (let n = m; n <= leaves.length; n += 5) {
        const proof = tree.consistencyProof(m, n);
        assert.equal(
          checkConsistency(m, n, tree.root(m), tree.root(n), proof),
          undefined,
          `${m}..${n}`,
        );
        if (m > 5) {
          assert.ok(checkConsistency(m, n, fork.root(m), tree.root(n), proof), `fork ${m}..${n}`);
        }
      }
    }
  });

  it('survives a round trip through its stored levels and truncation', () => {
    const copy = MerkleTree.fromLevels(tree.levelBytes().map((b) => Buffer.from(b)));
    assert.equal(toHex(copy.root()), toHex(tree.root()));
    copy.truncate(33);
    assert.equal(copy.size, 33);
    assert.equal(toHex(copy.root()), toHex(tree.root(33)));
    copy.append(tree.leafHash(33));
    assert.equal(toHex(copy.root()), toHex(tree.root(34)));
  });
});

function v64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}
