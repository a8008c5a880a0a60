// Every message between the deptrust client and server beyond the LSP itself, with its types.
// Editors other than VS Code can ignore the notifications and still get diagnostics, hovers,
// code actions and commands through the standard protocol.

import type { Position, Range, TrustStatus, Verdict } from '../core/types';
import type { LedgerHealth } from '../ledger/ledger';
import type { StoredRecord } from '../ledger/record';

/** Server → client after every change of a lockfile's verdicts. */
export const SUMMARY_NOTIFICATION = 'deptrust/summary';
export interface SummaryParams {
  uri: string;
  counts: Partial<Record<Verdict, number>>;
  /** `118 trusted · 3 unknown · 1 untrusted` */
  text: string;
  ledger: LedgerInfo;
  /** Set when the file does not parse now and the verdicts are those of its last good version. */
  parseError?: string;
}

export interface LedgerInfo {
  kind: 'embedded' | 'immudb';
  location: string;
  health: LedgerHealth;
  message: string;
  size: number;
  verifiedAt: number;
}

/** Client → server: record a decision about the entry at a position, or about a purl. */
export const DECIDE_REQUEST = 'deptrust/decide';
export interface DecideParams {
  uri?: string;
  position?: Position;
  purl?: string;
  status: TrustStatus;
  reason?: string;
}
export interface DecideResult {
  purl: string;
  index: number;
  actor: string;
}

/** Client → server: the entries of a lockfile with their verdicts, for pickers and views. */
export const ENTRIES_REQUEST = 'deptrust/entries';
export interface EntriesParams {
  uri: string;
}
export interface EntryInfo {
  name: string;
  version: string | null;
  purl: string | null;
  verdict: Verdict;
  summary: string;
  range: Range;
}

/** Client → server: the history of the entry at a position, or of a purl. */
export const HISTORY_REQUEST = 'deptrust/history';
export interface HistoryParams {
  uri?: string;
  position?: Position;
  purl?: string;
}
export interface HistoryResult {
  purl: string;
  verdict?: Verdict;
  summary?: string;
  records: StoredRecord[];
  ledger: LedgerInfo;
}

/** Client → server: reopen the ledger and check every open lockfile again. */
export const REFRESH_REQUEST = 'deptrust/refresh';

/** Server commands, run through workspace/executeCommand from code actions. */
export const COMMAND_DECIDE = 'deptrust.server.decide';
export const COMMAND_TRUST_ALL_UNKNOWN = 'deptrust.server.trustAllUnknown';

/**
 * Client → server: the identity to sign decisions with, kept by the client (VS Code's secret
 * storage) and held by the server in memory only. Without it the server reads the identity
 * file, as the CLI does.
 */
export const SET_IDENTITY_NOTIFICATION = 'deptrust/setIdentity';
export interface IdentityParams {
  name: string;
  /** `ed25519:<base64>` */
  publicKey: string;
  /** base64 of the 32-byte secret seed */
  secretKey: string;
}

/** Client → server: make a new key pair for `name`; the client stores what comes back. */
export const CREATE_IDENTITY_REQUEST = 'deptrust/createIdentity';
export interface CreateIdentityParams {
  name: string;
}

/** The `data.code` of a decide request's error when no identity can sign. */
export const IDENTITY_MISSING = 'IDENTITY_MISSING';

/** Client → server: every lockfile the server checks, with its entries, for the trust view. */
export const WORKSPACE_REQUEST = 'deptrust/workspace';
export interface WorkspaceLockfile {
  uri: string;
  ecosystem: string;
  text: string;
  entries: EntryInfo[];
}

/** The client command a lockfile's CodeLens runs: list what is not trusted in that file. */
export const COMMAND_SHOW_NOT_TRUSTED = 'deptrust.showNotTrusted';

/**
 * Client → server: the immudb password, kept by the client in VS Code's secret storage, never in
 * settings. Other editors pass it in DEPTRUST_IMMUDB_PASSWORD.
 */
export const SET_IMMUDB_PASSWORD_NOTIFICATION = 'deptrust/setImmudbPassword';
export interface ImmudbPasswordParams {
  password: string;
}

/**
 * Client → server: the lockfile changes of a git repository with their verdicts, the same
 * review as `deptrust review --format json`. Decisions in `decide` are signed and recorded
 * first, so that a Trust or Distrust action and the refreshed review are one round trip.
 */
export const REVIEW_REQUEST = 'deptrust/review';
export interface ReviewParams {
  /** A folder inside the repository (URI). */
  folder: string;
  /** True: the index against HEAD; false: the working tree against `base`. */
  staged: boolean;
  base?: string;
  allowUnknown?: boolean;
  decide?: ReviewDecision[];
}
export interface ReviewDecision {
  /** The entry after the change, as the review reported it. */
  entry: { purl: string | null; checksum: string | null; checksums: string[]; checksumOf?: 'zip' | 'go.mod' };
  status: TrustStatus;
  reason?: string;
}
export interface ReviewResult {
  review?: import('../review/review').Review;
  /** Why there is no review (not a repository, bad revision, no identity to sign with). */
  error?: { code: string; message: string };
}
