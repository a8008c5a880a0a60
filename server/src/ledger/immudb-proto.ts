import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

/**
 * The part of immudb's gRPC protocol (package `immudb.schema`, service `ImmuService`) that the
 * immudb ledger uses, described here with the field numbers immudb 1.2 and later put on the
 * wire. Written for deptrust rather than generated: the immudb-node package numbers some
 * transaction-entry fields as immudb 1.1 did and drops the header's version and metadata, which
 * the version 1 transaction hash needs.
 */
const PROTO = `
syntax = "proto3";
package immudb.schema;

message Empty {}
message LoginRequest { bytes user = 1; bytes password = 2; }
message LoginResponse { string token = 1; bytes warning = 2; }
message Database { string databaseName = 1; }
message UseDatabaseReply { string token = 1; }
message Signature { bytes publicKey = 1; bytes signature = 2; }
message ImmutableState {
  string db = 1; uint64 txId = 2; bytes txHash = 3; Signature signature = 4;
}
message TxMetadata { uint64 truncatedTxID = 1; bytes extra = 2; }
message TxHeader {
  uint64 id = 1; bytes prevAlh = 2; int64 ts = 3; int32 nentries = 4; bytes eH = 5;
  uint64 blTxId = 6; bytes blRoot = 7; int32 version = 8; TxMetadata metadata = 9;
}
message Expiration { int64 expiresAt = 1; }
message KVMetadata { bool deleted = 1; Expiration expiration = 2; bool nonIndexable = 3; }
message TxEntry {
  bytes key = 1; bytes hValue = 2; int32 vLen = 3; KVMetadata metadata = 4; bytes value = 5;
}
message Tx { TxHeader header = 1; repeated TxEntry entries = 2; }
message TxList { repeated Tx txs = 1; }
message EntryTypeSpec { int32 action = 1; }
message EntriesSpec {
  EntryTypeSpec kvEntriesSpec = 1; EntryTypeSpec zEntriesSpec = 2; EntryTypeSpec sqlEntriesSpec = 3;
}
message TxScanRequest {
  uint64 initialTx = 1; uint32 limit = 2; bool desc = 3; EntriesSpec entriesSpec = 4;
  uint64 sinceTx = 5; bool noWait = 6;
}
message KeyValue { bytes key = 1; bytes value = 2; }
message SetRequest { repeated KeyValue KVs = 1; bool noWait = 2; }
message DatabaseInfo { string name = 1; bool loaded = 3; }
message DatabaseListResponseV2 { repeated DatabaseInfo databases = 1; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;

function type(name: string): protobuf.Type {
  return root.lookupType(`immudb.schema.${name}`);
}

/** immudb's `EntryTypeAction`: how a transaction scan returns entries of one kind. */
const ENTRY_ACTION = { onlyDigest: 1, rawValue: 2 } as const;

export interface TxMetadataMessage {
  truncatedTxID: number;
  extra: Uint8Array;
}

export interface TxHeaderMessage {
  id: number;
  prevAlh: Uint8Array;
  ts: number;
  nentries: number;
  eH: Uint8Array;
  blTxId: number;
  blRoot: Uint8Array;
  version: number;
  metadata: TxMetadataMessage | null;
}

export interface KVMetadataMessage {
  deleted: boolean;
  expiresAt: number | null;
  nonIndexable: boolean;
}

export interface TxEntryMessage {
  /** The raw key: one byte naming the kind of entry (0 = key-value), then the key. */
  key: Uint8Array;
  hValue: Uint8Array;
  vLen: number;
  metadata: KVMetadataMessage | null;
  /** The raw value (one prefix byte, then the value) when the scan asked for it; else empty. */
  value: Uint8Array;
}

export interface TxMessage {
  header: TxHeaderMessage;
  entries: TxEntryMessage[];
}

export interface ImmutableStateMessage {
  db: string;
  txId: number;
  txHash: Uint8Array;
  /** The server's ECDSA signature (ASN.1 DER) over the state, when it signs states. */
  signature: Uint8Array;
}

/** Machine-readable reasons an immudb call failed; callers branch on these, not on text. */
export type ImmudbErrorCode =
  | 'IMMUDB_UNREACHABLE'
  | 'IMMUDB_AUTH'
  /** The server no longer knows the session (it restarted or timed the session out). */
  | 'IMMUDB_SESSION'
  | 'IMMUDB_UNKNOWN_DATABASE'
  | 'IMMUDB_PROTOCOL'
  /** An answer exceeded the message size limit; ask for less. */
  | 'IMMUDB_TOO_LARGE'
  | 'IMMUDB_VERIFY'
  | 'IMMUDB_ROLLBACK'
  | 'IMMUDB_CONFIG';

export class ImmudbError extends Error {
  constructor(
    readonly code: ImmudbErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImmudbError';
  }
}

const EMPTY = new Uint8Array(0);

function num(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  // protobufjs hands 64-bit integers over as Long objects.
  const long = v as { toNumber?: () => number };
  if (typeof long.toNumber === 'function') return long.toNumber();
  return Number(v);
}

function bytes(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : EMPTY;
}

// Decoders from protobufjs messages (fields absent when at their default) to plain values.
/* eslint-disable @typescript-eslint/no-explicit-any */
function toHeader(m: any): TxHeaderMessage {
  return {
    id: num(m?.id),
    prevAlh: bytes(m?.prevAlh),
    ts: num(m?.ts),
    nentries: num(m?.nentries),
    eH: bytes(m?.eH),
    blTxId: num(m?.blTxId),
    blRoot: bytes(m?.blRoot),
    version: num(m?.version),
    metadata: m?.metadata
      ? { truncatedTxID: num(m.metadata.truncatedTxID), extra: bytes(m.metadata.extra) }
      : null,
  };
}

function toEntry(m: any): TxEntryMessage {
  return {
    key: bytes(m.key),
    hValue: bytes(m.hValue),
    vLen: num(m.vLen),
    metadata: m.metadata
      ? {
          deleted: !!m.metadata.deleted,
          expiresAt: m.metadata.expiration ? num(m.metadata.expiration.expiresAt) : null,
          nonIndexable: !!m.metadata.nonIndexable,
        }
      : null,
    value: bytes(m.value),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Maps a gRPC failure to a code and a sentence a user can act on. */
function describe(err: grpc.ServiceError, address: string, database: string): ImmudbError {
  const text = err.details || err.message;
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) {
    return new ImmudbError('IMMUDB_UNREACHABLE', `immudb at ${address} cannot be reached: ${text}`);
  }
  if (/invalid user name or password|invalid username or password|permission denied/i.test(text)) {
    return new ImmudbError(
      'IMMUDB_AUTH',
      `immudb at ${address} refused the user or password: ${text}`,
    );
  }
  if (/database does not exist|'[^']*' does not exist/i.test(text)) {
    return new ImmudbError(
      'IMMUDB_UNKNOWN_DATABASE',
      `immudb at ${address} has no database "${database}" (create it with immuadmin)`,
    );
  }
  if (/not logged in|invalid token|session not found|expired/i.test(text)) {
    return new ImmudbError(
      'IMMUDB_SESSION',
      `immudb at ${address} no longer knows this session: ${text}`,
    );
  }
  if (err.code === grpc.status.UNAUTHENTICATED) {
    return new ImmudbError('IMMUDB_AUTH', `immudb at ${address} refused the session: ${text}`);
  }
  if (err.code === grpc.status.RESOURCE_EXHAUSTED) {
    return new ImmudbError('IMMUDB_TOO_LARGE', `immudb at ${address}: ${text}`);
  }
  return new ImmudbError('IMMUDB_PROTOCOL', `immudb at ${address}: ${text}`);
}

export interface ConnectionOptions {
  address: string;
  database: string;
  user: string;
  password: string;
  /** Per-call deadline in ms. */
  timeoutMs?: number;
  /** Largest answer accepted, bytes (default 64 MiB). */
  maxMessageBytes?: number;
}

/**
 * One authenticated connection to one database of an immudb server. Counts its calls so
 * tests and benchmarks can check how many round trips an operation takes.
 */
export class ImmudbConnection {
  /** Number of gRPC calls made so far. */
  calls = 0;
  private client: grpc.Client;
  private token = '';

  constructor(private readonly options: ConnectionOptions) {
    this.client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
      // Reconnect quickly after the server comes back, instead of grpc's default back-off.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.max_receive_message_length': options.maxMessageBytes ?? 64 * 1024 * 1024,
    });
  }

  /**
   * One unary call. `waitForReady` makes a write wait (up to the deadline) for a connection
   * that is being re-established instead of failing at once.
   */
  private call<T>(
    method: string,
    request: string,
    reply: string,
    body: object,
    waitForReady = false,
  ): Promise<T> {
    const reqType = type(request);
    const resType = type(reply);
    const metadata = new grpc.Metadata();
    if (this.token) metadata.set('authorization', `Bearer ${this.token}`);
    if (waitForReady) metadata.setOptions({ waitForReady: true });
    const deadline = Date.now() + (this.options.timeoutMs ?? 5000);
    this.calls++;
    return new Promise<T>((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/immudb.schema.ImmuService/${method}`,
        (value: object) => Buffer.from(reqType.encode(reqType.fromObject(value)).finish()),
        (buf: Buffer) => resType.decode(buf) as unknown as T,
        body,
        metadata,
        { deadline },
        (err, value) => {
          if (err) reject(describe(err, this.options.address, this.options.database));
          else resolve(value as T);
        },
      );
    });
  }

  /** Logs in and selects the database; an unknown database or a wrong password rejects. */
  async login(waitForReady = false): Promise<void> {
    this.token = '';
    const enc = new TextEncoder();
    const credentials = {
      user: enc.encode(this.options.user),
      password: enc.encode(this.options.password),
    };
    const login = await this.call<{ token: string }>(
      'Login',
      'LoginRequest',
      'LoginResponse',
      credentials,
      waitForReady,
    );
    this.token = login.token;
    const use = await this.call<{ token: string }>(
      'UseDatabase',
      'Database',
      'UseDatabaseReply',
      { databaseName: this.options.database },
      waitForReady,
    );
    this.token = use.token;
  }

  get loggedIn(): boolean {
    return this.token !== '';
  }

  forgetSession(): void {
    this.token = '';
  }

  /** The server's current state of the selected database: last transaction id and its Alh. */
  async currentState(): Promise<ImmutableStateMessage> {
    const m = await this.call<{
      db: string;
      txId: unknown;
      txHash: unknown;
      signature?: { signature?: unknown };
    }>('CurrentState', 'Empty', 'ImmutableState', {});
    return {
      db: m.db ?? '',
      txId: num(m.txId),
      txHash: bytes(m.txHash),
      signature: bytes(m.signature?.signature),
    };
  }

  /**
   * Transactions from `initialTx` on, oldest first, with every entry: key-value entries with
   * their raw values, other kinds (sorted sets, SQL) as digests, so that the entries hash of
   * each transaction can be recomputed.
   */
  async txScan(initialTx: number, limit: number): Promise<TxMessage[]> {
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
    const m = await this.call<any>('TxScan', 'TxScanRequest', 'TxList', {
      initialTx,
      limit,
      entriesSpec: {
        kvEntriesSpec: { action: ENTRY_ACTION.rawValue },
        zEntriesSpec: { action: ENTRY_ACTION.onlyDigest },
        sqlEntriesSpec: { action: ENTRY_ACTION.onlyDigest },
      },
      noWait: true,
    });
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
    return (m.txs ?? []).map((tx: any) => ({
      header: toHeader(tx.header),
      entries: (tx.entries ?? []).map(toEntry),
    }));
  }

  /** Writes key-value pairs in one transaction; returns its (unverified) header. */
  async set(kvs: Array<{ key: Uint8Array; value: Uint8Array }>): Promise<TxHeaderMessage> {
    const m = await this.call<unknown>(
      'Set',
      'SetRequest',
      'TxHeader',
      { KVs: kvs, noWait: true },
      true,
    );
    return toHeader(m);
  }

  close(): void {
    this.client.close();
  }
}
