import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import { lineBytes, parseRecordLine, recordProblem } from './canonical';
import { LedgerError } from './errors';
import type { AppendResult, Ledger, LedgerProblem, LedgerState } from './ledger';
import { ImmudbConnection, ImmudbError, type TxMessage } from './immudb-proto';
import {
  readSnapshot,
  snapshotPath,
  writeSnapshot,
  type ImmudbSnapshot,
  type SnapshotEntry,
} from './immudb-snapshot';
import {
  GENESIS_ALH,
  VerificationError,
  equalBytes,
  parseServerKey,
  verifyChain,
  verifyStateSignature,
  type ChainPoint,
} from './immudb-verify';
import type { StoredRecord, TrustRecord } from './record';
import { checkSignature } from './signature';

/** Every record is filed under `deptrust/record/<purl>`; immudb keeps each write as a revision. */
/** Re-exported so that callers loading this module on demand get its error class with it. */
export { ImmudbError } from './immudb-proto';

export const RECORD_KEY_PREFIX = 'deptrust/record/';

/** Key-value entries carry one kind byte before the key and one before the value (immudb). */
const KIND_KEY_VALUE = 0;
const VALUE_PLAIN = 0;

export interface ImmudbLedgerOptions {
  /** `host:port` of the server's gRPC endpoint. */
  address: string;
  database: string;
  user: string;
  /** Never read from settings files: the caller passes it from a secret store or the env. */
  password: string;
  /** How often to ask the server for its current state, ms (default 2000). */
  pollMs?: number;
  /** Folder for kept snapshots (default `<dataHome>/immudb`). */
  stateDir?: string;
  /** Transactions per scan call (default 1000). */
  pageSize?: number;
  /** Per-call deadline, ms (default 5000). */
  timeoutMs?: number;
  /** Largest answer accepted, bytes (default 64 MiB); scans shrink their pages to fit. */
  maxMessageBytes?: number;
  /**
   * The server's state-signing public key (PEM), for servers started with `--signingKey`.
   * When given, every state the server reports must carry its valid signature.
   */
  serverKey?: string;
  /** A file holding `serverKey` (e.g. from DEPTRUST_IMMUDB_SERVER_KEY). */
  serverKeyFile?: string;
}

interface Entry {
  /** 0-based position among the record entries of the log. */
  index: number;
  tx: number;
  key: string;
  value: string;
  record: TrustRecord;
  /** Checked on first read. */
  signature?: StoredRecord['signature'];
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/**
 * The team ledger on an immudb server.
 *
 * Verification: the ledger keeps, per server and database, the last transaction it verified
 * and that transaction's Alh. Each refresh asks the server for its current state and reads
 * every transaction after the kept one, recomputing each transaction's entries hash and Alh
 * and checking it links to the one before; the last must equal the Alh the server states. So
 * every record shown was read from a transaction proven to extend the kept history, a server
 * that went back (older data folder) or forked is caught, and nothing needs the server's own
 * proofs beyond the hash chain. The first use trusts the server's history from transaction 1.
 *
 * Reads are answered from the verified copy kept in memory and on disk, so a lookup of any
 * number of purls costs one state call, plus scan calls only when the server moved.
 */
export class ImmudbLedger implements Ledger {
  readonly kind = 'immudb' as const;
  readonly location: string;
  private readonly conn: ImmudbConnection;
  private readonly file: string;
  private point: ChainPoint = { txId: 0, alh: GENESIS_ALH };
  private entries: Entry[] = [];
  private byPurl = new Map<string, Entry[]>();
  private verifiedAt = 0;
  private current: LedgerState;
  private compromised: string | undefined;
  private problems: LedgerProblem[] = [];
  private listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private closed = false;
  private opened = false;
  private readonly serverKey: KeyObject | undefined;

  constructor(private readonly options: ImmudbLedgerOptions) {
    this.location = `${options.address}/${options.database}`;
    this.serverKey = serverKeyOf(options);
    this.conn = new ImmudbConnection({ ...options, timeoutMs: options.timeoutMs ?? 5000 });
    this.file = snapshotPath(options.address, options.database, options.stateDir);
    this.current = {
      health: 'unavailable',
      message: 'not opened',
      size: 0,
      root: '',
      verifiedAt: 0,
    };
  }

  /** gRPC calls made so far, for tests and benchmarks counting round trips. */
  get roundTrips(): number {
    return this.conn.calls;
  }

  /** The file holding the kept state of this server and database. */
  get snapshotFile(): string {
    return this.file;
  }

  /**
   * Loads the kept snapshot, then verifies the server against it. Rejects with an ImmudbError
   * for a wrong user or password (IMMUDB_AUTH) or an unknown database (IMMUDB_UNKNOWN_DATABASE);
   * an unreachable server leaves the ledger `stale` (snapshot) or `unavailable` (none) and the
   * poll keeps trying.
   */
  async open(): Promise<LedgerState> {
    if (this.opened) return this.current;
    if (!this.options.password) {
      throw new ImmudbError('IMMUDB_CONFIG', `no password for immudb user "${this.options.user}"`);
    }
    this.loadSnapshot();
    try {
      // Patient: a server that is starting gets the whole deadline to answer.
      await this.conn.login(true);
    } catch (err) {
      if (err instanceof ImmudbError && err.code !== 'IMMUDB_UNREACHABLE') {
        this.current = { ...this.current, health: 'unavailable', message: err.message };
        throw err;
      }
    }
    this.opened = true;
    await this.refresh();
    this.schedule();
    return this.current;
  }

  private loadSnapshot(): void {
    let snap: ImmudbSnapshot | undefined;
    try {
      snap = readSnapshot(this.file);
    } catch (err) {
      this.compromised = `the kept immudb state ${this.file} is unreadable: ${(err as Error).message}`;
      this.setState();
      return;
    }
    if (!snap) return;
    this.point = { txId: snap.txId, alh: new Uint8Array(Buffer.from(snap.alh, 'hex')) };
    this.verifiedAt = snap.verifiedAt;
    this.compromised = snap.compromised;
    this.addEntries(snap.entries);
  }

  // LIMITATION: the whole snapshot is rewritten whenever the server moved (about 8 MB for
  // 23,000 records), so on very large ledgers each change costs a full file write.
  private saveSnapshot(): void {
    writeSnapshot(this.file, {
      v: 1,
      address: this.options.address,
      database: this.options.database,
      txId: this.point.txId,
      alh: hex(this.point.alh),
      verifiedAt: this.verifiedAt,
      compromised: this.compromised,
      entries: this.entries.map(({ tx, key, value }) => ({ tx, key, value })),
    });
  }

  /** Adds record entries; one whose key and subject disagree, or that is no record, is skipped. */
  private addEntries(list: SnapshotEntry[]): void {
    for (const e of list) {
      const parsed = parseRecordLine(e.value);
      // LIMITATION: an entry under our prefix that is not a record, or is filed under another
      // purl than its subject's, is skipped without a warning; it can never make anything trusted.
      if (!('record' in parsed)) continue;
      const record = parsed.record;
      if (record.subject.purl !== e.key.slice(RECORD_KEY_PREFIX.length)) continue;
      const entry: Entry = { ...e, record, index: this.entries.length };
      this.entries.push(entry);
      const filed = this.byPurl.get(record.subject.purl);
      if (filed) filed.push(entry);
      else this.byPurl.set(record.subject.purl, [entry]);
    }
  }

  private setState(health?: LedgerState['health'], message?: string): void {
    const base = {
      size: this.entries.length,
      root: hex(this.point.alh),
      verifiedAt: this.verifiedAt,
      ...(this.problems.length > 0 ? { problems: this.problems.slice() } : {}),
    };
    if (this.compromised) {
      this.current = { ...base, health: 'compromised', message: this.compromised };
      return;
    }
    this.current = {
      ...base,
      health: health ?? 'ok',
      message:
        message ?? `${this.entries.length} records, verified up to transaction ${this.point.txId}`,
    };
  }

  /**
   * One refresh at a time: asks for the server's state, reads and verifies what is new.
   * Resolves true when the records or the health changed.
   */
  private refresh(): Promise<boolean> {
    if (!this.running) {
      this.running = this.refreshOnce().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async refreshOnce(): Promise<boolean> {
    const before = { size: this.entries.length, health: this.current.health, tx: this.point.txId };
    if (this.compromised) {
      this.setState();
      return before.health !== 'compromised';
    }
    try {
      await this.session(() => this.sync());
    } catch (err) {
      if (
        err instanceof VerificationError ||
        (err instanceof ImmudbError && err.code === 'IMMUDB_ROLLBACK')
      ) {
        this.compromised = `immudb ${this.location}: ${err.message}`;
        this.saveSnapshot();
        this.setState();
      } else {
        // The session does not survive a server restart: log in again on the next refresh.
        this.conn.forgetSession();
        const why = err instanceof Error ? err.message : String(err);
        if (this.verifiedAt > 0) {
          this.setState(
            'stale',
            `${why}; showing records verified ${ageText(Date.now() - this.verifiedAt)} ago ` +
              `(transaction ${this.point.txId})`,
          );
        } else {
          this.setState('unavailable', why);
        }
      }
    }
    return (
      before.size !== this.entries.length ||
      before.health !== this.current.health ||
      before.tx !== this.point.txId
    );
  }

  /** Verifies the server's history from the kept point to its current state, then adopts it. */
  private async sync(): Promise<void> {
    const state = await this.conn.currentState();
    if (this.serverKey)
      verifyStateSignature(this.serverKey, { ...state, db: this.options.database });
    if (state.db && state.db !== this.options.database) {
      throw new VerificationError(state.txId, `the server answered for database "${state.db}"`);
    }
    if (state.txId < this.point.txId) {
      throw new ImmudbError(
        'IMMUDB_ROLLBACK',
        `the server is at transaction ${state.txId}, behind transaction ${this.point.txId} ` +
          'verified before: it went back to older data',
      );
    }
    if (state.txId === this.point.txId) {
      if (!equalBytes(state.txHash, this.point.alh)) {
        throw new VerificationError(
          state.txId,
          `the server's state at transaction ${state.txId} differs from the one verified before`,
        );
      }
      this.verifiedAt = Date.now();
      this.setState();
      return;
    }

    let point = this.point;
    const fresh: SnapshotEntry[] = [];
    let page = this.options.pageSize ?? 1000;
    while (point.txId < state.txId) {
      let txs: TxMessage[];
      try {
        txs = await this.conn.txScan(point.txId + 1, Math.min(page, state.txId - point.txId));
      } catch (err) {
        // Large transactions (bulk copies) can overflow one message: ask for fewer.
        if (err instanceof ImmudbError && err.code === 'IMMUDB_TOO_LARGE' && page > 1) {
          page = Math.max(1, Math.floor(page / 4));
          continue;
        }
        throw err;
      }
      if (txs.length === 0) {
        throw new VerificationError(
          point.txId + 1,
          `the server sent no transaction ${point.txId + 1}`,
        );
      }
      // verifyChain throws unless the first transaction is the next one, so this advances.
      point = verifyChain(point, txs, state);
      for (const tx of txs) if (tx.header.id <= state.txId) collectRecords(tx, fresh);
    }

    this.point = point;
    this.verifiedAt = Date.now();
    this.addEntries(fresh);
    this.saveSnapshot();
    this.setState();
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => {
      void this.refresh().then((changed) => {
        if (changed && !this.closed) for (const l of this.listeners) l();
      });
    }, this.options.pollMs ?? 2000);
    this.timer.unref?.();
  }

  /** Refuses records that are malformed or carry a failing signature, like the embedded ledger. */
  private assertAppendable(record: TrustRecord): void {
    const problem = recordProblem(record);
    if (problem) throw new LedgerError('RECORD_REJECTED', `not a valid record: ${problem}`);
    if (checkSignature(record) === 'invalid') {
      throw new LedgerError(
        'RECORD_REJECTED',
        `the record's signature does not match ${record.actor.key ?? 'its actor'}`,
      );
    }
    if (this.compromised) {
      throw new LedgerError(
        'LEDGER_COMPROMISED',
        `refusing to write to a compromised ledger: ${this.compromised}`,
      );
    }
  }

  async append(record: TrustRecord): Promise<AppendResult> {
    this.assertAppendable(record);
    const enc = new TextEncoder();
    const key = RECORD_KEY_PREFIX + record.subject.purl;
    const value = lineBytes(record).toString('utf8');
    const header = await this.session(
      () => this.conn.set([{ key: enc.encode(key), value: enc.encode(value) }]),
      true,
    );

    const changed = await this.refresh();
    if (this.point.txId < header.id) await this.refresh();
    if (this.current.health !== 'ok' || this.point.txId < header.id) {
      throw new ImmudbError(
        this.compromised ? 'IMMUDB_VERIFY' : 'IMMUDB_UNREACHABLE',
        `the record was sent in transaction ${header.id} but could not be verified: ${this.current.message}`,
      );
    }
    const index = this.entries.findIndex(
      (e) => e.tx === header.id && e.key === key && e.value === value,
    );
    if (index < 0) {
      throw new ImmudbError(
        'IMMUDB_VERIFY',
        `transaction ${header.id} does not hold the record sent`,
      );
    }
    if (changed) for (const l of this.listeners) l();
    return { index, size: this.entries.length, root: hex(this.point.alh) };
  }

  /**
   * Appends many records, `batch` per immudb transaction (immudb caps entries per transaction),
   * then verifies them like `append`. Returns the index of each record in the log.
   */
  async appendAll(records: readonly TrustRecord[], batch = 500): Promise<number[]> {
    for (const r of records) this.assertAppendable(r);
    const enc = new TextEncoder();
    const sent: Array<{ tx: number; key: string; value: string }> = [];
    for (const chunk of batches(records, batch)) {
      const header = await this.session(
        () =>
          this.conn.set(chunk.map((c) => ({ key: enc.encode(c.key), value: enc.encode(c.value) }))),
        true,
      );
      for (const c of chunk) sent.push({ tx: header.id, ...c });
    }
    if (sent.length === 0) return [];

    const last = sent[sent.length - 1].tx;
    await this.refresh();
    if (this.point.txId < last) await this.refresh();
    if (this.current.health !== 'ok' || this.point.txId < last) {
      throw new ImmudbError(
        this.compromised ? 'IMMUDB_VERIFY' : 'IMMUDB_UNREACHABLE',
        `records were sent up to transaction ${last} but could not be verified: ${this.current.message}`,
      );
    }
    const at = new Map<string, number>();
    for (const e of this.entries)
      if (e.tx >= sent[0].tx) at.set(`${e.tx}\n${e.key}\n${e.value}`, e.index);
    const indexes = sent.map((s) => at.get(`${s.tx}\n${s.key}\n${s.value}`) ?? -1);
    if (indexes.includes(-1)) {
      throw new ImmudbError('IMMUDB_VERIFY', 'a transaction does not hold the records sent');
    }
    for (const l of this.listeners) l();
    return indexes;
  }

  /**
   * Runs calls in a session, logging in first when there is none. A session the server no
   * longer knows (it restarted, or the session timed out) is replaced once.
   */
  private async session<T>(work: () => Promise<T>, waitForReady = false): Promise<T> {
    if (!this.conn.loggedIn) {
      await this.conn.login(waitForReady);
      return work();
    }
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ImmudbError) || !['IMMUDB_SESSION', 'IMMUDB_AUTH'].includes(err.code))
        throw err;
      await this.conn.login(waitForReady);
      return work();
    }
  }

  private stored(e: Entry): StoredRecord {
    if (e.signature === undefined) {
      e.signature = checkSignature(e.record);
      if (e.signature === 'invalid') {
        this.problems.push({
          code: 'SIGNATURE_INVALID',
          index: e.index,
          message: `record ${e.index} (${e.record.subject.purl}): the signature does not match its actor key`,
        });
        this.setState(this.current.health, this.current.message);
      }
    }
    return {
      record: e.record,
      index: e.index,
      ledger: `immudb ${this.location}`,
      proof: this.compromised ? 'failed' : 'verified',
      signature: e.signature,
    };
  }

  /**
   * Answers from the verified copy after one refresh (a state call, plus scans only when the
   * server moved). An unreachable server is not asked again here; the poll reconnects.
   */
  async lookup(purls: Iterable<string>): Promise<Map<string, StoredRecord[]>> {
    if (this.current.health === 'ok') await this.refresh();
    const out = new Map<string, StoredRecord[]>();
    for (const p of purls) {
      const list = this.byPurl.get(p);
      if (list)
        out.set(
          p,
          list.map((e) => this.stored(e)),
        );
    }
    return out;
  }

  async history(purl: string): Promise<StoredRecord[]> {
    return (await this.lookup([purl])).get(purl) ?? [];
  }

  /** Every record in log order; for copying between ledgers. */
  async all(): Promise<StoredRecord[]> {
    if (this.current.health === 'ok') await this.refresh();
    return this.entries.map((e) => this.stored(e));
  }

  state(): LedgerState {
    return this.current;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    await this.running?.catch(() => undefined);
    this.conn.close();
    // Keep the time of the last check for the next process's staleness message.
    if (this.verifiedAt > 0 && this.current.health === 'ok') this.saveSnapshot();
  }
}

function serverKeyOf(options: ImmudbLedgerOptions): KeyObject | undefined {
  let pem = options.serverKey;
  if (!pem && options.serverKeyFile) {
    try {
      pem = fs.readFileSync(options.serverKeyFile, 'utf8');
    } catch (err) {
      throw new ImmudbError(
        'IMMUDB_CONFIG',
        `cannot read the immudb server key ${options.serverKeyFile}: ${(err as Error).message}`,
      );
    }
  }
  if (!pem) return undefined;
  try {
    return parseServerKey(pem);
  } catch (err) {
    throw new ImmudbError('IMMUDB_CONFIG', (err as Error).message);
  }
}

/** Splits records into transactions of at most `size`; immudb refuses a key twice in one. */
function batches(
  records: readonly TrustRecord[],
  size: number,
): Array<Array<{ key: string; value: string }>> {
  const out: Array<Array<{ key: string; value: string }>> = [];
  let chunk: Array<{ key: string; value: string }> = [];
  let keys = new Set<string>();
  for (const r of records) {
    const key = RECORD_KEY_PREFIX + r.subject.purl;
    if (chunk.length >= size || keys.has(key)) {
      out.push(chunk);
      chunk = [];
      keys = new Set();
    }
    chunk.push({ key, value: lineBytes(r).toString('utf8') });
    keys.add(key);
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/** Record entries of one verified transaction: plain key-value entries under our prefix. */
function collectRecords(tx: TxMessage, out: SnapshotEntry[]): void {
  const dec = new TextDecoder('utf-8', { fatal: false });
  for (const e of tx.entries) {
    if (e.key[0] !== KIND_KEY_VALUE || e.value[0] !== VALUE_PLAIN) continue;
    if (e.metadata?.deleted) continue;
    const key = dec.decode(e.key.subarray(1));
    if (!key.startsWith(RECORD_KEY_PREFIX)) continue;
    out.push({ tx: tx.header.id, key, value: dec.decode(e.value.subarray(1)) });
  }
}
