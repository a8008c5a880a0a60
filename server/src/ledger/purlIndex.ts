/**
 * Record indexes by purl, as a chained hash table over the purl's UTF-8 bytes (FNV-1a, 32
 * bits). Opening a large log then creates no string and no map entry per record; the price is
 * that a lookup gets candidates and must compare each record's purl, which it reads anyway.
 */
export class PurlIndex {
  /** First record of each bucket's chain, -1 for none. */
  private heads = new Int32Array(1 << 12).fill(-1);
  /** Per record: the next record of its chain, and its purl hash. */
  private next = new Int32Array(1024);
  private hashes = new Uint32Array(1024);
  private count = 0;

  /** An index of records 0..n-1 whose purl hashes are `hashes` (as `hashesUpTo` gave them). */
  static fromHashes(hashes: Uint32Array): PurlIndex {
    const index = new PurlIndex();
    const n = hashes.length;
    let buckets = index.heads.length;
    while (n > buckets * 0.75) buckets *= 4;
    index.heads = new Int32Array(buckets).fill(-1);
    index.next = new Int32Array(Math.max(1024, n));
    index.hashes = new Uint32Array(Math.max(1024, n));
    index.hashes.set(hashes);
    index.count = n;
    for (let i = 0; i < n; i++) index.link(i);
    return index;
  }

  /** The purl hashes of records 0..count-1 (a view: copy it before adding more). */
  hashesUpTo(count: number): Uint32Array {
    return this.hashes.subarray(0, Math.min(count, this.count));
  }

  /** Files record `index` (always the next one: 0, 1, 2, ...) under a purl hash. */
  add(hash: number, index: number): void {
    if (index !== this.count) throw new RangeError(`record ${index} added out of order`);
    if (index >= this.next.length) {
      const next = new Int32Array(this.next.length * 2);
      next.set(this.next);
      this.next = next;
      const hashes = new Uint32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[index] = hash;
    this.count++;
    if (this.count > this.heads.length * 0.75) this.rehash(this.heads.length * 4);
    else this.link(index);
  }

  /** Records whose purl has this hash, oldest first; the caller compares the purls. */
  candidates(hash: number): number[] {
    const out: number[] = [];
    for (let i = this.heads[hash & (this.heads.length - 1)]; i >= 0; i = this.next[i]) {
      if (this.hashes[i] === hash) out.push(i);
    }
    return out.reverse();
  }

  private link(index: number): void {
    const bucket = this.hashes[index] & (this.heads.length - 1);
    this.next[index] = this.heads[bucket];
    this.heads[bucket] = index;
  }

  private rehash(buckets: number): void {
    this.heads = new Int32Array(buckets).fill(-1);
    for (let i = 0; i < this.count; i++) this.link(i);
  }
}

/** FNV-1a (32 bits) of bytes[start:end]. */
export function purlHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The hash of a purl as text (its UTF-8 bytes, as the log holds them unescaped). */
export function purlTextHash(purl: string): number {
  // Purls are percent-encoded, so nearly all are ASCII: hash the characters as the bytes they
  // are, without encoding the text into a buffer first.
  let h = 0x811c9dc5;
  for (let i = 0; i < purl.length; i++) {
    const c = purl.charCodeAt(i);
    if (c > 0x7f) return purlHash(Buffer.from(purl, 'utf8'));
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
