import type { TrustStatus } from '../core/types';

/**
 * A trust record: one actor's decision about one exact artifact. Records are never changed or
 * removed; a later record by the same actor supersedes an earlier one for the same subject.
 *
 * The format is versioned (`v`) and shared by every ledger backend, so a record can be copied
 * from one ledger to another with its signature intact.
 */
export interface TrustRecord {
  v: 1;
  subject: RecordSubject;
  status: TrustStatus;
  actor: Actor;
  /** RFC 3339 time in UTC, as the actor's machine saw it when deciding. */
  time: string;
  reason?: string;
  /** Ed25519 signature (base64) over the canonical encoding of every other field. */
  sig?: string;
}

export interface RecordSubject {
  /** Package URL of the artifact, including its version. */
  purl: string;
  /** The checksum the decision was made on, as the lockfile writes it. */
  checksum?: string;
  /** What the checksum covers, where an artifact version has several (go.sum zip or go.mod). */
  checksumOf?: 'zip' | 'go.mod';
}

export interface Actor {
  name: string;
  /** Public key, `ed25519:` followed by the base64 of the 32 key bytes. */
  key?: string;
}

/** A record as a ledger returns it: where it sits in the log and what the reader checked. */
export interface StoredRecord {
  record: TrustRecord;
  /** 0-based position in the ledger's log. */
  index: number;
  /** Which ledger it came from, for display: `embedded /path` or `immudb host:port/db`. */
  ledger: string;
  /** Whether the reader verified the record's inclusion in the ledger's current tree head. */
  proof: 'verified' | 'unverified' | 'failed';
  /** Whether the record's signature checked out against its actor key. */
  signature: 'valid' | 'missing' | 'invalid';
}

export const TRUST_STATUSES: readonly TrustStatus[] = ['trusted', 'untrusted', 'unsupported'];

export function isTrustStatus(value: unknown): value is TrustStatus {
  return typeof value === 'string' && (TRUST_STATUSES as readonly string[]).includes(value);
}
