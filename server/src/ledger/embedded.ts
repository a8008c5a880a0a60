import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { lineBytes, parseRecordLine, recordProblem } from './canonical';
import { LedgerError } from './errors';
import type { AppendResult, Ledger, LedgerProblem, LedgerState } from './ledger';
import { MerkleTree, checkConsistency, checkInclusion, fromHex, hashLeaf, toHex } from './merkle';
import type { StoredRecord, TrustRecord } from './record';
import { checkSignature } from './signature';
import { PurlIndex, purlTextHash } from './purlIndex';
import { digestPrefix, readTreeCache, writeTreeCache } from './treeCache';
import {
  defaultWitnessDir,
  readWitness,
  witnessFile,
  writeWitness,
  type Witness,
  type WitnessRead,
} from './witness';

/** The log: one record a line, canonical JSON (canonical.ts), each line a Merkle leaf. */
export const LOG_FILE = 'records.jsonl';
/** The writers' lock, a folder proper-lockfile creates inside the ledger folder. */
const LOCK_FILE = 'append.lock';
const NEWLINE = 0x0a;
const READ_CHUNK = 8 * 1024 * 1024;
/** A lock whose holder stopped refreshing it for this long (a killed writer) is taken over. */
const LOCK_STALE_MS = 5000;

export interface EmbeddedLedgerOptions {
  /** Where witnesses are kept (default `witness/` in `dataHome()`); tests pass a folder. */
  witnessDir?: string;
  /**
   * An open writes a tree cache (treeCache.ts) when at least this many verified records are
   * not in it yet. Default 4096: smaller logs open in milliseconds without one.
   */
  cacheMinRecords?: number;
}

/** Per-record facts kept in memory: where its line is, and what has been checked of it. */
class RecordTable {
  offsets = new Float64Array(1024);
  lengths = new Uint32Array(1024);
  /** 0 unchecked, 1 valid, 2 missing, 3 invalid. */
  signatures = new Uint8Array(1024);
  /** 1 once its inclusion in a verified head was proven; later heads extend that head. */
  proven = new Uint8Array(1024);
  count = 0;

  /** A table of records lying one after another from offset 0, with these line lengths. */
  static fromLengths(lengths: Uint32Array): RecordTable {
    const table = new RecordTable();
    const capacity = Math.max(1024, lengths.length);
    table.offsets = new Float64Array(capacity);
    table.lengths = new Uint32Array(capacity);
    table.signatures = new Uint8Array(capacity);
    table.proven = new Uint8Array(capacity);
    table.lengths.set(lengths);
    let offset = 0;
    for (let i = 0; i < lengths.length; i++) {
      table.offsets[i] = offset;
      offset += lengths[i] + 1;
    }
    table.count = lengths.length;
    return table;
  }

  push(offset: number, length: number): void {
    if (this.count === this.offsets.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(
        a: T,
        make: (n: number) => T,
      ): T => {
        const next = make(a.length * 2);
        next.set(a);
        return next;
      };
      this.offsets = grow(this.offsets, (n) => new Float64Array(n));
      this.lengths = grow(this.lengths, (n) => new Uint32Array(n));
      this.signatures = grow(this.signatures, (n) => new Uint8Array(n));
      this.proven = grow(this.proven, (n) => new Uint8Array(n));
    }
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.count++;
  }
}

const SIGNATURE_CODES: StoredRecord['signature'][] = ['valid', 'valid', 'missing', 'invalid'];

/**
 * The embedded ledger: an append-only log in a folder of its own, with an RFC 9162 Merkle tree
 * over its lines and a witness of the last verified tree head kept outside the folder.
 *
 * Opening reads and hashes the whole log, checks that the witnessed head is a prefix of it
 * (consistency proof) and indexes records by purl. Writers serialize through a lock, repair a
 * torn tail left by a crashed writer, and fsync every record. Readers follow others' appends
 * through a folder watch. Any failed check turns the state `compromised` for good (until the
 * ledger is opened again), and nothing more is written to it.
 */
export class EmbeddedLedger implements Ledger {
  readonly kind = 'embedded' as const;
  private readonly witnessDir: string;
  private readonly cacheMinRecords: number;
  private witnessPath = '';
  private cachedSize = 0;
  /** Signatures checked since their results were last kept (see `saveSignatures`). */
  private newSignatures = 0;
  /** Why the witness could not be moved on, when the last attempt failed; else empty. */
  private witnessLag = '';
  /** Records read back and verified since the log file last changed (see `checkReadCache`). */
  private readCache = new Map<number, StoredRecord>();
  private readStamp = '';
  private tree = new MerkleTree();
  private table = new RecordTable();
  private byPurl = new PurlIndex();
  /** Bytes of the log read and verified: always the end of a complete line. */
  private readBytes = 0;
  private tornBytes = 0;
  private problems: LedgerProblem[] = [];
  private current: LedgerState = {
    health: 'unavailable',
    message: 'not opened',
    size: 0,
    root: '',
    verifiedAt: 0,
  };
  private listeners = new Set<() => void>();
  private watcher: fs.FSWatcher | undefined;
  private pendingReload: NodeJS.Timeout | undefined;
  private opened = false;

  constructor(
    readonly location: string,
    options?: EmbeddedLedgerOptions,
  ) {
    this.witnessDir = options?.witnessDir ?? defaultWitnessDir();
    this.cacheMinRecords = options?.cacheMinRecords ?? 4096;
  }

  private get cachePath(): string {
    return this.witnessPath.replace(/\.json$/, '.tree');
  }

  /** Records the last open took from the tree cache instead of hashing them (for tests). */
  get recordsFromCache(): number {
    return this.cachedSize;
  }

  private get logPath(): string {
    return path.join(this.location, LOG_FILE);
  }

  /** The file holding this ledger's witness, for messages telling users where to look. */
  get witnessLocation(): string {
    return this.witnessPath;
  }

  async open(): Promise<LedgerState> {
    try {
      fs.mkdirSync(this.location, { recursive: true });
      if (!fs.existsSync(this.logPath)) {
        fs.closeSync(fs.openSync(this.logPath, 'a'));
        fsyncDir(this.location);
      }
      this.witnessPath = witnessFile(this.witnessDir, fs.realpathSync(this.location));
    } catch (e) {
      this.current = {
        ...this.current,
        health: 'unavailable',
        message: `cannot open ${this.location}: ${(e as Error).message}`,
      };
      throw new LedgerError('LEDGER_IO', this.current.message);
    }
    this.opened = true;
    this.verifyNew(true, true);
    this.keepCache();
    this.loadSignatures();
    this.watch();
    return this.current;
  }

  private watch(): void {
    if (this.watcher) return;
    try {
      this.watcher = fs.watch(this.location, () => this.scheduleReload());
      this.watcher.on('error', () => undefined);
    } catch {
      // LIMITATION: where folders cannot be watched, others' appends show up within a second
      // through polling instead.
      fs.watchFile(this.logPath, { interval: 500 }, () => this.scheduleReload());
    }
  }

  /** At most one reload per 50 ms, and never postponed: steady appends must not starve it. */
  private scheduleReload(): void {
    if (this.pendingReload) return;
    this.pendingReload = setTimeout(() => {
      this.pendingReload = undefined;
      this.reload();
    }, 50);
  }

  /** Picks up others' appends; listeners hear of new records and of a health change. */
  private reload(): void {
    if (!this.opened) return;
    const before = this.current;
    try {
      this.verifyNew(true);
    } catch (e) {
      this.fail(`cannot read ${this.logPath}: ${(e as Error).message}`);
    }
    if (before.size !== this.current.size || before.health !== this.current.health) this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others still hear of the change.
      }
    }
  }

  /** A method rather than a field test, so that checks after calls that may fail still run. */
  private compromised(): boolean {
    return this.current.health === 'compromised';
  }

  private fail(message: string): void {
    if (this.compromised()) return;
    this.current = { ...this.current, health: 'compromised', message, verifiedAt: Date.now() };
  }

  /**
   * Reads, hashes and indexes the complete lines appended since the last read. Bytes after the
   * last newline are a line still being written or a torn tail of a crashed writer: they are
   * not counted, and only a writer holding the lock removes them.
   */
  private readNew(): void {
    if (this.compromised()) return;
    const fd = fs.openSync(this.logPath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.readBytes) {
        this.fail(`the log shrank from ${this.readBytes} to ${size} bytes: records were removed`);
        return;
      }
      let position = this.readBytes;
      let carry: Buffer = Buffer.alloc(0);
      while (position < size) {
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - position));
        const got = fs.readSync(fd, chunk, 0, chunk.length, position);
        if (got === 0) break;
        position += got;
        const data = carry.length
          ? Buffer.concat([carry, chunk.subarray(0, got)])
          : chunk.subarray(0, got);
        const consumed = this.addLines(data, this.readBytes);
        if (this.compromised()) return;
        carry = Buffer.from(data.subarray(consumed));
      }
      this.tornBytes = size - this.readBytes;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Adds every complete line of `data` (which starts at log offset `offset`); returns bytes used. */
  private addLines(data: Buffer, offset: number): number {
    let start = 0;
    for (;;) {
      const end = data.indexOf(NEWLINE, start);
      if (end < 0) return start;
      const line = data.subarray(start, end);
      const index = this.table.count;
      const parsed = parseRecordLine(line.toString('utf8'));
      if ('problem' in parsed) {
        this.fail(
          `record ${index} (line ${index + 1} of ${this.logPath}) is damaged: ${parsed.problem}`,
        );
        return start;
      }
      this.tree.append(hashLeaf(line));
      this.index(purlTextHash(parsed.record.subject.purl), offset + start, line.length);
      this.readBytes = offset + end + 1;
      start = end + 1;
    }
  }

  /**
   * Reads what was appended and checks it against the witness. The witness is read first:
   * writers fsync the log before they move the witness on, so every head a witness names is
   * already in the log when the log is read after it.
   */
  private verifyNew(persist: boolean, useCache = false): void {
    const read = readWitness(this.witnessPath);
    if (useCache && this.table.count === 0) this.loadCache();
    this.readNew();
    this.checkWitness(read, persist);
  }

  /**
   * Takes the records a tree cache covers without reading their lines one by one, when the
   * log's bytes are still those the cache was made from. Any difference: no cache, everything
   * is read.
   */
  private loadCache(): void {
    const cache = readTreeCache(this.cachePath);
    if (!cache) return;
    const { header, tree, lengths, purlHashes } = cache;
    try {
      if (fs.statSync(this.logPath).size < header.bytes) return;
      if (digestPrefix(this.logPath, header.bytes) !== header.digest) return;
    } catch {
      return;
    }
    this.table = RecordTable.fromLengths(lengths);
    this.byPurl = PurlIndex.fromHashes(purlHashes);
    this.tree = tree;
    this.readBytes = header.bytes;
    this.cachedSize = header.size;
  }

  /** Refreshes the tree cache after an open when enough verified records are not in it. */
  private keepCache(): void {
    if (this.compromised() || this.tree.size - this.cachedSize < this.cacheMinRecords) return;
    try {
      writeTreeCache(
        this.cachePath,
        this.logPath,
        this.readBytes,
        this.tree,
        this.table.lengths,
        this.byPurl.hashesUpTo(this.tree.size),
      );
    } catch {
      // The cache only saves time; without it the next open reads everything again.
    }
  }

  private index(purlHash: number, offset: number, length: number): void {
    this.byPurl.add(purlHash, this.table.count);
    this.table.push(offset, length);
  }

  /**
   * Checks the log against the witness: the witnessed head must be a prefix of the current
   * tree (RFC 9162 section 2.1.4), then the witness moves on to the current head.
   */
  private checkWitness(read: WitnessRead, persist: boolean): void {
    if (this.compromised()) return;
    if ('problem' in read) {
      this.fail(read.problem);
      return;
    }
    const seen = read.witness;
    const size = this.tree.size;
    const root = this.tree.root();
    if (seen && seen.size > size) {
      this.fail(
        `the log holds ${size} records but ${seen.size} were verified on ${seen.time}: records were ` +
          `removed or the folder was replaced by an older copy (witness ${this.witnessPath})`,
      );
      return;
    }
    if (seen && seen.size > 0) {
      const failure = checkConsistency(
        seen.size,
        size,
        fromHex(seen.root),
        root,
        seen.size === size ? [] : this.tree.consistencyProof(seen.size, size),
      );
      if (failure) {
        this.fail(
          `the first ${seen.size} records no longer match the tree head verified on ${seen.time} ` +
            `(${failure}): records were edited, reordered or replaced (witness ${this.witnessPath})`,
        );
        return;
      }
    }
    if (persist && (!seen || seen.size < size)) {
      const witness: Witness = {
        ledger: path.resolve(this.location),
        size,
        root: toHex(root),
        time: new Date().toISOString(),
      };
      try {
        writeWitness(this.witnessPath, witness);
        this.witnessLag = '';
      } catch (e) {
        // The log verified; only the record of it could not be kept (a full disk, say). The old
        // witness still guards what it covers, so this is said, not treated as tampering.
        this.witnessLag = `; the witness ${this.witnessPath} could not be moved on: ${(e as Error).message}`;
      }
    }
    const since = seen
      ? `extends the head verified on ${seen.time}`
      : 'first use: no earlier head to compare with';
    const torn = this.tornBytes ? `; ${this.tornBytes} bytes of an unfinished append ignored` : '';
    this.current = {
      health: 'ok',
      message: `${size} records; ${since}${torn}${this.witnessLag}`,
      size,
      root: toHex(root),
      verifiedAt: Date.now(),
      problems: this.problems.length ? this.problems.slice() : undefined,
    };
  }

  async append(record: TrustRecord): Promise<AppendResult> {
    const problem = recordProblem(record);
    if (problem) throw new LedgerError('RECORD_REJECTED', `not a valid record: ${problem}`);
    if (checkSignature(record) === 'invalid') {
      throw new LedgerError(
        'RECORD_REJECTED',
        `the record's signature does not match ${record.actor.key ?? 'its actor'}`,
      );
    }
    if (!this.opened) await this.open();
    this.assertWritable();
    const line = lineBytes(record);

    const release = await this.lock();
    let result: AppendResult;
    try {
      this.verifyNew(false);
      this.assertWritable();
      this.repairTornTail();

      this.writeLine(Buffer.concat([line, Buffer.of(NEWLINE)]));
      const index = this.table.count;
      this.verifyNew(true);
      this.assertWritable();
      if (this.table.count !== index + 1) {
        throw new LedgerError('LEDGER_IO', `the log did not take the record as record ${index}`);
      }
      result = { index, size: this.tree.size, root: toHex(this.tree.root()) };
    } finally {
      await release().catch(() => undefined);
    }
    this.notify();
    return result;
  }

  /**
   * Appends one whole line and fsyncs it, or leaves the log as it was and throws: a short
   * write is continued, and a failed one (a full disk, a file size limit) is cut off again,
   * which is safe because the lock is held.
   */
  private writeLine(bytes: Buffer): void {
    const fd = fs.openSync(this.logPath, 'a');
    try {
      for (let written = 0; written < bytes.length;) {
        written += fs.writeSync(fd, bytes, written, bytes.length - written);
      }
      fs.fsyncSync(fd);
    } catch (e) {
      try {
        fs.ftruncateSync(fd, this.readBytes);
        fs.fsyncSync(fd);
      } catch {
        // Left as a torn tail: never counted, and cut off by the next append.
      }
      throw new LedgerError(
        'LEDGER_IO',
        `cannot append to ${this.logPath}: ${(e as Error).message}`,
      );
    } finally {
      fs.closeSync(fd);
    }
  }

  private assertWritable(): void {
    if (this.compromised()) {
      throw new LedgerError(
        'LEDGER_COMPROMISED',
        `refusing to write to a compromised ledger: ${this.current.message}`,
      );
    }
  }

  /** Under the lock no one else is writing, so bytes after the last newline are a torn tail. */
  private repairTornTail(): void {
    if (this.tornBytes === 0) return;
    const fd = fs.openSync(this.logPath, 'r+');
    try {
      fs.ftruncateSync(fd, this.readBytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.tornBytes = 0;
  }

  private async lock(): Promise<() => Promise<void>> {
    try {
      return await lockfile.lock(this.location, {
        lockfilePath: path.join(this.location, LOCK_FILE),
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: { retries: 400, factor: 1.2, minTimeout: 5, maxTimeout: 50 },
        // Appends hold the lock for milliseconds; losing it to a stale takeover cannot happen
        // unless this process stalls for LOCK_STALE_MS, and the write is then still whole.
        onCompromised: () => undefined,
      });
    } catch (e) {
      throw new LedgerError(
        'LEDGER_LOCKED',
        `cannot lock ${this.location} for writing: ${(e as Error).message}`,
      );
    }
  }

  async lookup(purls: Iterable<string>): Promise<Map<string, StoredRecord[]>> {
    const out = new Map<string, StoredRecord[]>();
    if (!this.opened || this.compromised()) return out;
    const wanted: Array<[string, number[]]> = [];
    for (const purl of purls) {
      const candidates = this.byPurl.candidates(purlTextHash(purl));
      if (candidates.length) wanted.push([purl, candidates]);
    }
    if (wanted.length === 0) return out;
    const fd = fs.openSync(this.logPath, 'r');
    try {
      this.checkReadCache(fd);
      for (const [purl, candidates] of wanted) {
        // Candidates share the purl's hash; a collision or a failed read is not this purl's.
        const records = candidates
          .map((i) => this.readRecord(fd, i))
          .filter((r) => r.record.subject.purl === purl);
        if (records.length) out.set(purl, records);
      }
    } finally {
      fs.closeSync(fd);
    }
    if (this.newSignatures >= 256) this.saveSignatures();
    if (this.compromised()) {
      out.clear();
      this.notify();
    }
    return out;
  }

  async history(purl: string): Promise<StoredRecord[]> {
    return (await this.lookup([purl])).get(purl) ?? [];
  }

  /**
   * Forgets records read back while the log file stays as it was (same size, modification time
   * and inode); any write to it, an append included, makes the next lookup read them again.
   */
  private checkReadCache(fd: number): void {
    const st = fs.fstatSync(fd);
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (stamp !== this.readStamp || this.readCache.size > 200_000) {
      this.readCache.clear();
      this.readStamp = stamp;
    }
  }

  /**
   * Reads one record back from the log and checks it: its bytes must hash to the leaf proven to
   * be in the verified tree (so an edit made while the ledger is open is caught here), and its
   * signature must hold. Both results are kept; a later head extends the one proven against.
   */
  private readRecord(fd: number, index: number): StoredRecord {
    const cached = this.readCache.get(index);
    if (cached) return { ...cached };
    const stored = this.readRecordFromLog(fd, index);
    if (stored.proof === 'verified') this.readCache.set(index, stored);
    return { ...stored };
  }

  private readRecordFromLog(fd: number, index: number): StoredRecord {
    const buf = Buffer.allocUnsafe(this.table.lengths[index]);
    fs.readSync(fd, buf, 0, buf.length, this.table.offsets[index]);
    const parsed = parseRecordLine(buf.toString('utf8'));
    const leaf = hashLeaf(buf);
    let proof: StoredRecord['proof'] = 'verified';
    if (this.table.proven[index] !== 1) {
      const size = this.tree.size;
      const failure = checkInclusion(
        index,
        size,
        leaf,
        this.tree.inclusionProof(index, size),
        this.tree.root(),
      );
      if (failure) proof = 'failed';
      else this.table.proven[index] = 1;
    } else if (
      !Buffer.from(leaf.buffer, leaf.byteOffset, leaf.length).equals(this.tree.leafHash(index))
    ) {
      proof = 'failed';
    }
    if (proof === 'failed' || 'problem' in parsed) {
      this.fail(
        `record ${index} changed on disk after it was verified: the log was edited in place`,
      );
      const record = 'record' in parsed ? parsed.record : placeholderRecord();
      return {
        record,
        index,
        ledger: `embedded ${this.location}`,
        proof: 'failed',
        signature: 'invalid',
      };
    }
    return {
      record: parsed.record,
      index,
      ledger: `embedded ${this.location}`,
      proof,
      signature: this.signatureOf(index, parsed.record),
    };
  }

  private signatureOf(index: number, record: TrustRecord): StoredRecord['signature'] {
    const known = this.table.signatures[index];
    if (known !== 0) return SIGNATURE_CODES[known];
    const result = checkSignature(record);
    this.table.signatures[index] = result === 'valid' ? 1 : result === 'missing' ? 2 : 3;
    this.newSignatures++;
    if (result === 'invalid') this.reportInvalid(index, record);
    return result;
  }

  private get signaturesPath(): string {
    return this.witnessPath.replace(/\.json$/, '.sigs');
  }

  /**
   * Takes signature results an earlier process kept (beside the witness) for a head this tree
   * extends: the same leaves are the same records, so the same results. Anything else is
   * ignored, and signatures are checked again as records are read.
   */
  private loadSignatures(): void {
    if (this.compromised()) return;
    let data: Buffer;
    try {
      data = fs.readFileSync(this.signaturesPath);
    } catch {
      return;
    }
    const newline = data.indexOf(NEWLINE);
    if (newline < 0) return;
    let header: { v?: number; size?: number; root?: string };
    try {
      header = JSON.parse(data.subarray(0, newline).toString('utf8')) as typeof header;
    } catch {
      return;
    }
    const size = header.size;
    const codes = data.subarray(newline + 1);
    if (header.v !== 1 || !Number.isSafeInteger(size) || size === undefined || size < 1) return;
    if (
      size > this.tree.size ||
      codes.length !== size ||
      toHex(this.tree.root(size)) !== header.root
    )
      return;
    const invalid: number[] = [];
    for (let i = 0; i < size; i++) {
      const code = codes[i];
      if (code > 3 || this.table.signatures[i] !== 0) continue;
      this.table.signatures[i] = code;
      if (code === 3) invalid.push(i);
    }
    if (invalid.length === 0) return;
    const fd = fs.openSync(this.logPath, 'r');
    try {
      for (const i of invalid) {
        const buf = Buffer.allocUnsafe(this.table.lengths[i]);
        fs.readSync(fd, buf, 0, buf.length, this.table.offsets[i]);
        const parsed = parseRecordLine(buf.toString('utf8'));
        if ('record' in parsed) this.reportInvalid(i, parsed.record);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Keeps the signature results for the current head beside the witness. */
  private saveSignatures(): void {
    if (this.compromised() || this.tree.size === 0 || !this.witnessPath) return;
    const size = this.tree.size;
    try {
      const tmp = `${this.signaturesPath}.${process.pid}.tmp`;
      const header = JSON.stringify({ v: 1, size, root: toHex(this.tree.root()) }) + '\n';
      fs.writeFileSync(
        tmp,
        Buffer.concat([Buffer.from(header), this.table.signatures.subarray(0, size)]),
        { mode: 0o600 },
      );
      fs.renameSync(tmp, this.signaturesPath);
      this.newSignatures = 0;
    } catch {
      // Only saves time: the next process checks these signatures again.
    }
  }

  private reportInvalid(index: number, record: TrustRecord): void {
    if (this.problems.some((p) => p.index === index)) return;
    this.problems.push({
      code: 'SIGNATURE_INVALID',
      index,
      message:
        `record ${index} (${record.subject.purl} by ${record.actor.name}) has a signature ` +
        `that does not match ${record.actor.key ?? 'any key'}; it is not counted`,
    });
    if (this.current.health === 'ok')
      this.current = { ...this.current, problems: this.problems.slice() };
  }

  /**
   * Checks every record: each line against its proven leaf and each signature, none taken from
   * earlier results. For `deptrust verify`, which must look at everything, not what lookups read.
   */
  async verifyAll(): Promise<VerifyReport> {
    if (!this.opened) await this.open();
    const report: VerifyReport = { state: this.current, valid: 0, unsigned: 0, invalid: [] };
    if (this.current.health !== 'ok') return report;
    this.table.signatures.fill(0);
    this.table.proven.fill(0);
    this.readCache.clear();
    const fd = fs.openSync(this.logPath, 'r');
    try {
      for (let i = 0; i < this.table.count && this.current.health === 'ok'; i++) {
        const stored = this.readRecord(fd, i);
        if (stored.signature === 'valid') report.valid++;
        else if (stored.signature === 'missing') report.unsigned++;
        else report.invalid.push(i);
      }
    } finally {
      fs.closeSync(fd);
    }
    this.saveSignatures();
    report.state = this.current;
    return report;
  }

  state(): LedgerState {
    return this.current;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async close(): Promise<void> {
    if (this.opened && this.newSignatures > 0) this.saveSignatures();
    this.opened = false;
    clearTimeout(this.pendingReload);
    this.pendingReload = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    fs.unwatchFile(this.logPath);
    this.listeners.clear();
  }
}

export interface VerifyReport {
  state: LedgerState;
  /** Records with a valid signature. */
  valid: number;
  /** Records without a signature (never counted by a policy). */
  unsigned: number;
  /** Indexes of records whose signature fails. */
  invalid: number[];
}

function placeholderRecord(): TrustRecord {
  return {
    v: 1,
    subject: { purl: 'pkg:generic/unreadable' },
    status: 'untrusted',
    actor: { name: '?' },
    time: '',
  };
}

/** Makes a newly created log file's name durable (POSIX needs the folder fsynced too). */
function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
