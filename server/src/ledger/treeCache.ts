import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { HASH_SIZE, MerkleTree, toHex } from './merkle';

/**
 * A cache of a ledger's tree hashes, kept beside its witness in the user's data folder (never in
 * the ledger folder, which others can write). It lets an open skip hashing and fully parsing
 * the lines it covers: they are checked instead by one SHA-256 over their bytes, which must
 * equal `digest`, and the tree rebuilt from the stored levels must have `root`. The witness
 * check then runs on that tree as on any other.
 *
 * File: one JSON header line, then the levels' hashes (level 0 first), 32 bytes each.
 */
export interface TreeCacheHeader {
  v: 1;
  /** Records (leaves) covered. */
  size: number;
  /** Log bytes covered: the end of record `size - 1`'s line. */
  bytes: number;
  /** Hex SHA-256 of the log's first `bytes` bytes. */
  digest: string;
  /** Hex Merkle root at `size`. */
  root: string;
  /** Number of hashes stored for each level. */
  levels: number[];
}

export interface TreeCache {
  header: TreeCacheHeader;
  tree: MerkleTree;
}

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
    header.v !== 1 ||
    !Number.isSafeInteger(header.size) ||
    !Number.isSafeInteger(header.bytes) ||
    !Array.isArray(header.levels) ||
    header.levels[0] !== header.size ||
    typeof header.digest !== 'string' ||
    typeof header.root !== 'string'
  ) {
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
  if (offset !== data.length) return undefined;
  const tree = MerkleTree.fromLevels(levels);
  if (tree.size !== header.size || toHex(tree.root()) !== header.root) return undefined;
  return { header, tree };
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

/** Writes a cache for the first `bytes` bytes of the log, whose tree is `tree`. */
export function writeTreeCache(
  file: string,
  logPath: string,
  bytes: number,
  tree: MerkleTree,
): void {
  const levels = tree.levelBytes();
  const header: TreeCacheHeader = {
    v: 1,
    size: tree.size,
    bytes,
    digest: digestPrefix(logPath, bytes),
    root: toHex(tree.root()),
    levels: levels.map((l) => l.length / HASH_SIZE),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(header) + '\n');
    for (const level of levels) fs.writeSync(fd, level);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
