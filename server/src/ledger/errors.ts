/** Machine-readable reasons a ledger operation or a verification failed. */
export type LedgerErrorCode =
  /** An inclusion proof does not lead to the tree head (RFC 9162 section 2.1.3.2). */
  | 'INCLUSION_PROOF_INVALID'
  /** A consistency proof does not join two tree heads (RFC 9162 section 2.1.4.2). */
  | 'CONSISTENCY_PROOF_INVALID'
  /** The log no longer contains what the witness saw: edited, reordered, truncated or older. */
  | 'WITNESS_MISMATCH'
  /** A complete line of the log is not a record this version understands. */
  | 'RECORD_MALFORMED'
  /** The ledger was found compromised; nothing is written to it. */
  | 'LEDGER_COMPROMISED'
  /** The ledger folder or its log cannot be read or written. */
  | 'LEDGER_IO'
  /** A record handed to append() is not well-formed or carries a signature that fails. */
  | 'RECORD_REJECTED'
  /** The other writers' lock could not be taken in time. */
  | 'LEDGER_LOCKED';

/** The one error class of the ledger; callers branch on `code`, never on message text. */
export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}
