import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { HASH_SIZE, MerkleTree, toHex } from './merkle';

/**
 * A cache of a ledger's tree hashes and record table, kept beside its witness in the user's
 * data folder (never in the ledger folder, which others can write). It lets an open skip
 * reading the lines it covers one by one: they are checked instead by one SHA-256 over their
 * bytes, which must equal `digest`, and the tree rebuilt from the stored levels must have
 * `root`. The witness check then runs on that tree as on any other. The line lengths and purl
 * hashes were worked out from those same bytes when they were verified, so they hold as long
 * as the digest does.
 *
 * File: one JSON header line, then the levels' hashes (level 0 first), 32 bytes each, then each
 * record's line length (without its newline) and then each record's purl hash, as unsigned
 * 32-bit little-endian integers.
 */
export interface TreeCacheHeader {
  v: 2;
  /** Records (leaves) covered. */
  size: number;
  /** Log bytes covered: the end of record `size - 1`'s line. */
  bytes: number;
  /** Hex SHA-256 of the log's first `bytes` bytes. */
  digest: string;
  /** Hex Merkle root at `size`. */
  root: string;
  /**
   * Hex SHA-256 of everything after the header line: a damaged purl hash would hide a record
   * from lookups, and a damaged level would fail a proof, so the file checks itself first.
   */
  body: string;
  /** Number of hashes stored for each level. */
  levels: number[];
}

export interface TreeCache {
  header: TreeCacheHeader;
  tree: MerkleTree;
  /** Per record: its line's length in bytes, without the newline. */
  lengths: Uint32Array;
  /** Per record: `purlHash` of its purl. */
  purlHashes: Uint32Array;
}

/** A copy of `count` little-endian uint32 values at `offset` (copied: any alignment works). */
function readUint32s(data: Buffer, offset: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  new Uint8Array(out.buffer).set(data.subarray(offset, offset + count * 4));
  if (!LITTLE_ENDIAN) for (let i = 0; i < count; i++) out[i] = data.readUInt32LE(offset + i * 4);
  return out;
}

function uint32Bytes(values: Uint32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeUInt32LE(values[i], i * 4);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Reads a cache; anything unexpected (absent, damaged, inconsistent) is simply no cache. */
export function readTreeCache(file: string): TreeCache | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const newline = data.indexOf(0x0a);
  if (newline < 0) return undefined;
  let header: TreeCacheHeader;
  try {
    header = JSON.parse(data.subarray(0, newline).toString('utf8')) as TreeCacheHeader;
  } catch {
    return undefined;
  }
  if (
    header.v !== 2 ||
    !Number.isSafeInteger(header.size) ||
    !Number.isSafeInteger(header.bytes) ||
    !Array.isArray(header.levels) ||
    header.levels[0] !== header.size ||
    typeof header.digest !== 'string' ||
    typeof header.root !== 'string' ||
    typeof header.body !== 'string'
  ) {
    return undefined;
  }
  if (createHash('sha256').update(data.subarray(newline + 1)).digest('hex') !== header.body) {
    return undefined;
  }
  const levels: Buffer[] = [];
  let offset = newline + 1;
  for (const count of header.levels) {
    const end = offset + count * HASH_SIZE;
    if (!Number.isSafeInteger(count) || end > data.length) return undefined;
    levels.push(Buffer.from(data.subarray(offset, end)));
    offset = end;
  }
  if (offset + header.size * 8 !== data.length) return undefined;
  const lengths = readUint32s(data, offset, header.size);
  const purlHashes = readUint32s(data, offset + header.size * 4, header.size);
  // Each line plus its newline must add up to the bytes covered.
  let total = 0;
  for (let i = 0; i < lengths.length; i++) total += lengths[i] + 1;
  if (total !== header.bytes) return undefined;
  const tree = MerkleTree.fromLevels(levels);
  if (tree.size !== header.size || toHex(tree.root()) !== header.root) return undefined;
  return { header, tree, lengths, purlHashes };
}

/** SHA-256 of a file's first `bytes` bytes, read in chunks. */
export function digestPrefix(logPath: string, bytes: number): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(logPath, 'r');
  try {
    const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
    let position = 0;
    while (position < bytes) {
      const got = fs.readSync(fd, chunk, 0, Math.min(chunk.length, bytes - position), position);
      if (got === 0) throw new Error(`${logPath} ended at ${position} of ${bytes} bytes`);
      hash.update(chunk.subarray(0, got));
      position += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Writes a cache for the first `bytes` bytes of the log, whose tree is `tree` and whose records
 * have these line lengths and purl hashes (at least `tree.size` of each; the rest is ignored).
 */
export function writeTreeCache(
  file: string,
  logPath: string,
  bytes: number,
  tree: MerkleTree,
  lengths: Uint32Array,
  purlHashes: Uint32Array,
): void {
  const levels = tree.levelBytes();
  const body = [
    ...levels,
    uint32Bytes(lengths.subarray(0, tree.size)),
    uint32Bytes(purlHashes.subarray(0, tree.size)),
  ];
  const bodyHash = createHash('sha256');
  for (const part of body) bodyHash.update(part);
  const header: TreeCacheHeader = {
    v: 2,
    size: tree.size,
    bytes,
    digest: digestPrefix(logPath, bytes),
    root: toHex(tree.root()),
    levels: levels.map((l) => l.length / HASH_SIZE),
    body: bodyHash.digest('hex'),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    const parts = [Buffer.from(JSON.stringify(header) + '\n'), ...body];
    for (const part of parts) {
      for (let done = 0; done < part.length; ) done += fs.writeSync(fd, part, done);
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
