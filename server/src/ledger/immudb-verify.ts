import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type {
  KVMetadataMessage,
  TxEntryMessage,
  TxHeaderMessage,
  TxMessage,
  TxMetadataMessage,
} from './immudb-proto';

// Transaction hashing of immudb 1.2 and later, as its proofs write-up (docs/security/PROOFS.md
// in the immudb source) describes it:
//   entry digest  = SHA-256 of the entry's key, metadata and value hash (format per header version)
//   EH            = root of a Merkle tree over the entry digests of one transaction
//   inner hash    = SHA-256(ts, version, [metadata], nentries, EH, blTxID, blRoot)
//   Alh           = SHA-256(txID, previous Alh, inner hash)
// The Alh of a transaction accumulates every transaction before it, so a chain of Alh values
// checked from one trusted Alh to the server's current one proves every transaction between.

export const DIGEST_SIZE = 32;

/** The Alh before the first transaction: SHA-256 of nothing (immudb's store starts there). */
export const GENESIS_ALH = new Uint8Array(createHash('sha256').digest());

/** Domain-separation prefixes of the transaction's entry tree (immudb `htree`). */
const LEAF_PREFIX = 0;
const NODE_PREFIX = 1;

/** Attribute codes of key-value metadata, in the order immudb serializes them. */
const KV_ATTR = { deleted: 0, expiresAt: 1, nonIndexable: 2 } as const;
/** Attribute codes of transaction metadata, in the order immudb serializes them. */
const TX_ATTR = { truncatedUptoTx: 0, extra: 1 } as const;

export class VerificationError extends Error {
  constructor(
    readonly txId: number,
    message: string,
  ) {
    super(message);
    this.name = 'VerificationError';
  }
}

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function u16(n: number): Uint8Array {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function u64(n: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)));
  return b;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function kvMetadataBytes(md: KVMetadataMessage | null): Uint8Array {
  if (!md) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  if (md.deleted) parts.push(Uint8Array.of(KV_ATTR.deleted));
  if (md.expiresAt !== null) parts.push(Uint8Array.of(KV_ATTR.expiresAt), u64(md.expiresAt));
  if (md.nonIndexable) parts.push(Uint8Array.of(KV_ATTR.nonIndexable));
  return Buffer.concat(parts);
}

export function txMetadataBytes(md: TxMetadataMessage | null): Uint8Array {
  if (!md) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  if (md.truncatedTxID > 0)
    parts.push(Uint8Array.of(TX_ATTR.truncatedUptoTx), u64(md.truncatedTxID));
  if (md.extra.length > 0) parts.push(Uint8Array.of(TX_ATTR.extra), u16(md.extra.length), md.extra);
  return Buffer.concat(parts);
}

/** The digest of one transaction entry, in the format of the transaction's header version. */
export function entryDigest(entry: TxEntryMessage, version: number, txId: number): Uint8Array {
  switch (version) {
    case 0:
      // Version 0 (immudb 1.1) has no entry metadata: SHA-256(key || value hash).
      if (kvMetadataBytes(entry.metadata).length > 0) {
        throw new VerificationError(txId, `transaction ${txId}: version 0 entry carries metadata`);
      }
      return sha256(entry.key, entry.hValue);
    case 1: {
      const md = kvMetadataBytes(entry.metadata);
      return sha256(u16(md.length), md, u16(entry.key.length), entry.key, entry.hValue);
    }
    default:
      throw new VerificationError(txId, `transaction ${txId}: unknown header version ${version}`);
  }
}

/** Root of the Merkle tree over a transaction's entry digests (EH); odd nodes move up as is. */
export function entriesRoot(digests: Uint8Array[]): Uint8Array {
  if (digests.length === 0) return sha256();
  let level = digests.map((d) => sha256(Uint8Array.of(LEAF_PREFIX), d));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(sha256(Uint8Array.of(NODE_PREFIX), level[i], level[i + 1]));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

function innerHash(h: TxHeaderMessage): Uint8Array {
  const parts: Uint8Array[] = [u64(h.ts), u16(h.version)];
  switch (h.version) {
    case 0:
      parts.push(u16(h.nentries));
      break;
    case 1: {
      const md = txMetadataBytes(h.metadata);
      parts.push(u16(md.length), md, u32(h.nentries));
      break;
    }
    default:
      throw new VerificationError(h.id, `transaction ${h.id}: unknown header version ${h.version}`);
  }
  parts.push(h.eH, u64(h.blTxId), h.blRoot);
  return sha256(...parts);
}

/** The accumulated linear hash of a transaction, from its header alone. */
export function alh(h: TxHeaderMessage): Uint8Array {
  return sha256(u64(h.id), h.prevAlh, innerHash(h));
}

/** A point of the transaction chain the reader has verified: transaction id and its Alh. */
export interface ChainPoint {
  txId: number;
  alh: Uint8Array;
}

/**
 * Checks one transaction against the chain point right before it and returns the new point.
 *
 * Recomputes every entry digest from what the server sent (the value hash from the value
 * itself when the value came along), the entries root, and the Alh; the header must link to
 * the previous Alh. Throws VerificationError on any difference.
 */
export function verifyNextTx(prev: ChainPoint, tx: TxMessage): ChainPoint {
  const h = tx.header;
  if (h.id !== prev.txId + 1) {
    throw new VerificationError(
      h.id,
      `expected transaction ${prev.txId + 1}, the server sent ${h.id}`,
    );
  }
  if (!equalBytes(h.prevAlh, prev.alh)) {
    throw new VerificationError(
      h.id,
      `transaction ${h.id} does not extend the verified history at transaction ${prev.txId}`,
    );
  }
  if (tx.entries.length !== h.nentries) {
    throw new VerificationError(
      h.id,
      `transaction ${h.id} declares ${h.nentries} entries, the server sent ${tx.entries.length}`,
    );
  }
  const digests = tx.entries.map((e) => {
    if (e.value.length > 0 && !equalBytes(sha256(e.value), e.hValue)) {
      throw new VerificationError(h.id, `transaction ${h.id}: a value does not match its hash`);
    }
    if (e.value.length === 0 && e.vLen > 0 && e.key[0] === 0) {
      // A key-value entry whose value the server did not send (expired): cannot be read.
      throw new VerificationError(h.id, `transaction ${h.id}: the server withheld a value`);
    }
    return entryDigest(e, h.version, h.id);
  });
  if (!equalBytes(entriesRoot(digests), h.eH)) {
    throw new VerificationError(
      h.id,
      `transaction ${h.id}: its entries do not match its entries hash`,
    );
  }
  return { txId: h.id, alh: alh(h) };
}

/** What the server says its database is at: last transaction id and that transaction's Alh. */
export interface ServerState {
  txId: number;
  txHash: Uint8Array;
}

/**
 * Verifies consecutive transactions from a verified point towards the server's stated state.
 * Each must be the next one; those after `target.txId` are ignored; when the chain reaches
 * `target.txId` its Alh must equal `target.txHash`. Returns the new point; throws
 * VerificationError otherwise.
 */
export function verifyChain(
  from: ChainPoint,
  txs: readonly TxMessage[],
  target: ServerState,
): ChainPoint {
  let point = from;
  for (const tx of txs) {
    if (point.txId >= target.txId) break;
    point = verifyNextTx(point, tx);
  }
  if (point.txId === target.txId && !equalBytes(point.alh, target.txHash)) {
    throw new VerificationError(
      target.txId,
      `transaction ${target.txId} hashes differently from the state the server reports`,
    );
  }
  return point;
}

/**
 * The bytes immudb signs for a database state: the database name's length (u32, big-endian),
 * the name (UTF-8), the transaction id (u64, big-endian) and its Alh.
 */
export function stateSigningBytes(db: string, txId: number, txHash: Uint8Array): Uint8Array {
  const name = Buffer.from(db, 'utf8');
  return Buffer.concat([u32(name.length), name, u64(txId), txHash]);
}

/** Reads a server's state-signing public key (PEM, SubjectPublicKeyInfo, ECDSA P-256). */
export function parseServerKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the immudb server key must be an ECDSA P-256 public key');
  }
  return key;
}

/**
 * Checks the server's signature over its state: ECDSA P-256 with SHA-256, DER encoded, as an
 * immudb server started with `--signingKey` produces it. Throws VerificationError otherwise.
 */
export function verifyStateSignature(
  key: KeyObject,
  state: { db: string; txId: number; txHash: Uint8Array; signature: Uint8Array },
): void {
  if (state.signature.length === 0) {
    throw new VerificationError(state.txId, 'the server did not sign its state');
  }
  let ok = false;
  try {
    ok = verify(
      'sha256',
      stateSigningBytes(state.db, state.txId, state.txHash),
      key,
      state.signature,
    );
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new VerificationError(
      state.txId,
      `the state at transaction ${state.txId} is not signed by the server key deptrust was given`,
    );
  }
}
