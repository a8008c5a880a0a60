import type { StoredRecord, TrustRecord } from './record';

/** How far a ledger's answers can be believed right now. */
export type LedgerHealth =
  /** Verified against its own history and the kept witness. */
  | 'ok'
  /** Answers come from a verified snapshot; the ledger itself cannot be reached. */
  | 'stale'
  /** The ledger cannot be read at all; nothing it would say can be shown. */
  | 'unavailable'
  /** Verification failed: tampering, rollback or corruption. Nothing from it is trusted. */
  | 'compromised';

export interface LedgerState {
  health: LedgerHealth;
  /** One line a user can act on, e.g. `record 41 does not match the tree head kept on ...`. */
  message: string;
  /** Number of records in the verified log. */
  size: number;
  /** Merkle root of the verified log, hex; empty when the ledger keeps none. */
  root: string;
  /** When the answers were last verified against the ledger, ms since the epoch. */
  verifiedAt: number;
  /**
   * Records found wrong so far that do not make the whole ledger untrustworthy, e.g. a record
   * whose signature fails (it is never counted). Embedded: signatures are checked when a record
   * is first read by a lookup or history, or all at once by `verifyAll`.
   */
  problems?: LedgerProblem[];
}

export interface LedgerProblem {
  code: 'SIGNATURE_INVALID';
  /** 0-based position of the record in the log. */
  index: number;
  message: string;
}

export interface AppendResult {
  index: number;
  size: number;
  root: string;
}

/**
 * A store of trust records. Implementations: the embedded ledger (a folder on this machine)
 * and immudb (a shared server). Every method verifies what it reads; a failed verification
 * shows up in `state()` as `compromised`, never as missing records.
 */
export interface Ledger {
  readonly kind: 'embedded' | 'immudb';
  /** For display: a folder path or `host:port/database`. */
  readonly location: string;

  /** Opens and verifies the ledger. Rejects only when it cannot be read at all. */
  open(): Promise<LedgerState>;

  append(record: TrustRecord): Promise<AppendResult>;

  /** Every record filed under each purl, oldest first. Purls with no record are absent. */
  lookup(purls: Iterable<string>): Promise<Map<string, StoredRecord[]>>;

  /** Every record filed under one purl, oldest first. */
  history(purl: string): Promise<StoredRecord[]>;

  state(): LedgerState;

  /** Called when records written by anyone (another process too) become visible. */
  onDidChange(listener: () => void): { dispose(): void };

  close(): Promise<void>;
}
