import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1, over SHA-256:
 * tree hashes, inclusion and consistency proofs, and their verification.
 *
 * SHA-256 comes from node:crypto (OpenSSL) rather than a JavaScript implementation: opening a
 * ledger of a million records hashes a million leaves and as many inner nodes, which takes
 * about 3 s natively and about 20 s in JavaScript on the machines we measured (docs/LEDGER.md).
 */

/** RFC 9162 section 2.1.1: the domain-separation prefixes of leaf and inner-node hashes. */
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** The output size of SHA-256, the hash RFC 9162 section 2.1 names. */
export const HASH_SIZE = 32;

/** MTH({}) of RFC 9162 section 2.1.1: the hash of the empty string. */
export const EMPTY_ROOT: Uint8Array = createHash('sha256').digest();

// One-shot hashing over a reused input buffer: creating a Hash object per call costs more than
// hashing a line.
let leafInput = Buffer.allocUnsafe(4096);
const nodeInput = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);

/** RFC 9162 section 2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)). */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  if (leaf.length + 1 > leafInput.length) leafInput = Buffer.allocUnsafe(2 * (leaf.length + 1));
  leafInput[0] = LEAF_PREFIX;
  leafInput.set(leaf, 1);
  return hash('sha256', leafInput.subarray(0, leaf.length + 1), 'buffer');
}

/** RFC 9162 section 2.1.1: HASH(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash('sha256')
      .update(Uint8Array.of(NODE_PREFIX))
      .update(left)
      .update(right)
      .digest();
  }
  nodeInput[0] = NODE_PREFIX;
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeInput, 'buffer');
}

/** The largest power of two strictly below n (n > 1): the split point k of RFC 9162. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function log2(n: number): number {
  return 31 - Math.clz32(n);
}

/** A byte buffer of hashes that grows by doubling. */
class HashArray {
  private buf: Buffer;
  count = 0;

  constructor(capacity = 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1, capacity) * HASH_SIZE);
  }

  static from(bytes: Buffer): HashArray {
    const a = new HashArray(bytes.length / HASH_SIZE + 1024);
    bytes.copy(a.buf);
    a.count = bytes.length / HASH_SIZE;
    return a;
  }

  push(hash: Uint8Array): void {
    if ((this.count + 1) * HASH_SIZE > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.count * HASH_SIZE);
      this.buf = next;
    }
    this.buf.set(hash, this.count * HASH_SIZE);
    this.count++;
  }

  get(i: number): Uint8Array {
    return this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }

  truncate(count: number): void {
    this.count = Math.min(this.count, count);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.count * HASH_SIZE);
  }
}

/**
 * An append-only Merkle tree that keeps the hash of every complete (perfect, aligned) subtree,
 * as golang.org/x/mod/sumdb/tlog stores them: level k holds the hashes of the subtrees of 2^k
 * leaves. Any tree head and proof for a size up to `size` is then a few lookups plus at most
 * O(log n) hashes for the ragged right edge.
 */
export class MerkleTree {
  private levels: HashArray[] = [new HashArray()];
  /** Hashes of ragged (not perfect) subtrees, valid while the size stays the same. */
  private ragged = new Map<string, Uint8Array>();
  private raggedSize = -1;

  get size(): number {
    return this.levels[0].count;
  }

  /** Adds one leaf by its leaf hash (see `hashLeaf`). */
  append(leafHash: Uint8Array): void {
    this.levels[0].push(leafHash);
    let index = this.levels[0].count - 1;
    for (let k = 0; index % 2 === 1; k++) {
      if (!this.levels[k + 1]) this.levels.push(new HashArray());
      const level = this.levels[k];
      this.levels[k + 1].push(hashChildren(level.get(index - 1), level.get(index)));
      index = (index - 1) / 2;
    }
  }

  leafHash(index: number): Uint8Array {
    if (index < 0 || index >= this.size) throw new RangeError(`no leaf ${index} in ${this.size}`);
    return this.levels[0].get(index);
  }

  /** Drops every leaf from `size` on, with the subtree hashes that covered them. */
  truncate(size: number): void {
    for (let k = 0; k < this.levels.length; k++) this.levels[k].truncate(Math.floor(size / 2 ** k));
    this.raggedSize = -1;
  }

  /** MTH(D[0:size]) of RFC 9162 section 2.1.1. */
  root(size = this.size): Uint8Array {
    this.checkSize(size);
    return size === 0 ? EMPTY_ROOT : this.subtree(0, size);
  }

  /** PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1. */
  inclusionProof(index: number, size = this.size): Uint8Array[] {
    this.checkSize(size);
    if (index < 0 || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
    const proof: Uint8Array[] = [];
    this.path(index, 0, size, proof);
    return proof;
  }

  /** PROOF(size1, D[0:size2]) of RFC 9162 section 2.1.4.1. */
  consistencyProof(size1: number, size2 = this.size): Uint8Array[] {
    this.checkSize(size2);
    if (size1 < 1 || size1 > size2) throw new RangeError(`no consistency proof ${size1}..${size2}`);
    const proof: Uint8Array[] = [];
    this.subproof(size1, 0, size2, true, proof);
    return proof;
  }

  /** Every stored hash, level by level, for the cache (see `MerkleTree.fromLeafHashes`). */
  leafHashes(): Buffer {
    return this.levels[0].bytes();
  }

  levelBytes(): Buffer[] {
    return this.levels.map((l) => l.bytes());
  }

  /** Rebuilds a tree from stored levels; the caller checks the root against a trusted head. */
  static fromLevels(levels: Buffer[]): MerkleTree {
    const tree = new MerkleTree();
    tree.levels = levels.map((b) => HashArray.from(b));
    if (tree.levels.length === 0) tree.levels.push(new HashArray());
    return tree;
  }

  private checkSize(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`tree size ${size} out of range 0..${this.size}`);
    }
  }

  /** MTH(D[start:end]); the left part of every RFC 9162 split is a stored, aligned subtree. */
  private subtree(start: number, end: number): Uint8Array {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) {
      const level = this.levels[log2(n)];
      if (level && start / n < level.count) return level.get(start / n);
    }
    if (this.raggedSize !== this.size) {
      this.ragged.clear();
      this.raggedSize = this.size;
    }
    const key = `${start}:${end}`;
    let h = this.ragged.get(key);
    if (!h) {
      const k = splitPoint(n);
      h = hashChildren(this.subtree(start, start + k), this.subtree(start + k, end));
      this.ragged.set(key, h);
    }
    return h;
  }

  private path(index: number, start: number, end: number, out: Uint8Array[]): void {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (index < start + k) {
      this.path(index, start, start + k, out);
      out.push(this.subtree(start + k, end));
    } else {
      this.path(index, start + k, end, out);
      out.push(this.subtree(start, start + k));
    }
  }

  private subproof(m: number, start: number, end: number, whole: boolean, out: Uint8Array[]): void {
    if (m === end) {
      if (!whole) out.push(this.subtree(start, end));
      return;
    }
    const k = splitPoint(end - start);
    if (m <= start + k) {
      this.subproof(m, start, start + k, whole, out);
      out.push(this.subtree(start + k, end));
    } else {
      this.subproof(m, start + k, end, false, out);
      out.push(this.subtree(start, start + k));
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function isHash(h: Uint8Array | null | undefined): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function isTreeIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Shifts fn and sn right (as unsigned integers) until fn is odd or zero. */
function shiftWhileEven(fn: number, sn: number): [number, number] {
  while (fn !== 0 && fn % 2 === 0) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return [fn, sn];
}

/**
 * Verifies an inclusion proof by the algorithm of RFC 9162 section 2.1.3.2. Returns a reason
 * when it fails, undefined when it holds. Beyond the RFC steps it insists, as a verifier for a
 * general log must, on 32-byte hashes and the exact proof length for the index and size.
 */
export function checkInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): string | undefined {
  if (!isTreeIndex(index) || !isTreeIndex(size)) return 'index or size is not a tree position';
  if (index >= size) return `index ${index} is not below the tree size ${size}`;
  if (!isHash(leafHash) || !isHash(root)) return 'leaf hash and root must be 32 bytes';
  if (!proof.every(isHash)) return 'every proof hash must be 32 bytes';

  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return 'the proof is longer than the path to the root';
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      [fn, sn] = shiftWhileEven(fn, sn);
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return 'the proof is shorter than the path to the root';
  if (!sameBytes(r, root)) return 'the proof leads to another root';
  return undefined;
}

/**
 * Verifies a consistency proof by the algorithm of RFC 9162 section 2.1.4.2: the tree of size2
 * with root2 extends the tree of size1 with root1. Returns a reason when it fails.
 *
 * Equal sizes need equal roots and an empty proof; a first tree of size 0 proves nothing and
 * is rejected, as the RFC's step 1 (an empty path fails) implies for every other case.
 */
export function checkConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): string | undefined {
  if (!isTreeIndex(size1) || !isTreeIndex(size2)) return 'sizes are not tree sizes';
  if (size1 > size2) return `the first tree (${size1}) is larger than the second (${size2})`;
  if (size1 === 0) return 'consistency with an empty tree proves nothing';
  if (size1 === size2) {
    if (proof.length > 0) return 'trees of equal size need an empty proof';
    return sameBytes(root1, root2) ? undefined : 'trees of equal size have different roots';
  }
  if (!isHash(root1) || !isHash(root2)) return 'roots must be 32 bytes';
  if (proof.length === 0) return 'the proof is empty';
  if (!proof.every(isHash)) return 'every proof hash must be 32 bytes';

  // Step 2: when the first tree is a complete subtree of the second, its root starts the path.
  const path = isExactPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  [fn, sn] = shiftOdd(fn, sn);
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return 'the proof is longer than needed';
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      [fn, sn] = shiftWhileEven(fn, sn);
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return 'the proof is shorter than needed';
  if (!sameBytes(fr, root1)) return 'the proof does not lead to the first root';
  if (!sameBytes(sr, root2)) return 'the proof does not lead to the second root';
  return undefined;
}

/** Power-of-two test without 32-bit bitwise operators, for any safe integer. */
function isExactPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

/** RFC 9162 section 2.1.4.2 step 4: while fn is odd, shift fn and sn right. */
function shiftOdd(fn: number, sn: number): [number, number] {
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return [fn, sn];
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return /^[0-9a-f]*$/.test(text) && text.length % 2 === 0
    ? new Uint8Array(Buffer.from(text, 'hex'))
    : new Uint8Array(0);
}
