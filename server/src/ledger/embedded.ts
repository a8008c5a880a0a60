import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import type { AppendResult, Ledger, LedgerState } from './ledger';
import type { StoredRecord, TrustRecord } from './record';

const LOG_FILE = 'records.jsonl';

/**
 * The embedded ledger: an append-only log of records, one JSON document a line, in a folder of
 * its own. Writers take a lock on the folder; readers watch the log and pick up appends.
 */
export class EmbeddedLedger implements Ledger {
  readonly kind = 'embedded' as const;
  private records: StoredRecord[] = [];
  private byPurl = new Map<string, StoredRecord[]>();
  private readBytes = 0;
  private current: LedgerState = { health: 'unavailable', message: 'not opened', size: 0, root: '', verifiedAt: 0 };
  private listeners = new Set<() => void>();
  private watcher: fs.FSWatcher | undefined;
  private pendingReload: NodeJS.Timeout | undefined;

  constructor(readonly location: string) {}

  private get logPath(): string {
    return path.join(this.location, LOG_FILE);
  }

  async open(): Promise<LedgerState> {
    fs.mkdirSync(this.location, { recursive: true });
    if (!fs.existsSync(this.logPath)) fs.writeFileSync(this.logPath, '');
    this.reload();
    this.watch();
    return this.current;
  }

  private watch(): void {
    try {
      this.watcher = fs.watch(this.location, () => this.scheduleReload());
      this.watcher.on('error', () => undefined);
    } catch {
      // Fall back to polling where the platform cannot watch folders.
      fs.watchFile(this.logPath, { interval: 500 }, () => this.scheduleReload());
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.pendingReload);
    this.pendingReload = setTimeout(() => {
      const before = this.records.length;
      this.reload();
      if (this.records.length !== before) for (const l of this.listeners) l();
    }, 50);
  }

  /** Reads what was appended since the last read; a line still being written is left for later. */
  private reload(): void {
    const size = fs.statSync(this.logPath).size;
    if (size < this.readBytes) {
      this.current = { ...this.current, health: 'compromised', message: `the log shrank from ${this.readBytes} to ${size} bytes` };
      return;
    }
    if (size > this.readBytes) {
      const fd = fs.openSync(this.logPath, 'r');
      const buf = Buffer.alloc(size - this.readBytes);
      fs.readSync(fd, buf, 0, buf.length, this.readBytes);
      fs.closeSync(fd);
      const complete = buf.lastIndexOf(10) + 1;
      const text = buf.subarray(0, complete).toString('utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        this.add(JSON.parse(line) as TrustRecord);
      }
      this.readBytes += complete;
    }
    if (this.current.health !== 'compromised') {
      this.current = { health: 'ok', message: `${this.records.length} records`, size: this.records.length, root: '', verifiedAt: Date.now() };
    }
  }

  private add(record: TrustRecord): void {
    const stored: StoredRecord = {
      record,
      index: this.records.length,
      ledger: `embedded ${this.location}`,
      proof: 'unverified',
      signature: record.sig ? 'invalid' : 'missing',
    };
    this.records.push(stored);
    const list = this.byPurl.get(record.subject.purl);
    if (list) list.push(stored);
    else this.byPurl.set(record.subject.purl, [stored]);
  }

  async append(record: TrustRecord): Promise<AppendResult> {
    const release = await lockfile.lock(this.location, { retries: { retries: 50, minTimeout: 10, maxTimeout: 200 }, realpath: false });
    try {
      const fd = fs.openSync(this.logPath, 'a');
      fs.writeSync(fd, JSON.stringify(record) + '\n');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      this.reload();
    } finally {
      await release();
    }
    for (const l of this.listeners) l();
    return { index: this.records.length - 1, size: this.records.length, root: '' };
  }

  async lookup(purls: Iterable<string>): Promise<Map<string, StoredRecord[]>> {
    const out = new Map<string, StoredRecord[]>();
    for (const p of purls) {
      const list = this.byPurl.get(p);
      if (list) out.set(p, list.slice());
    }
    return out;
  }

  async history(purl: string): Promise<StoredRecord[]> {
    return (this.byPurl.get(purl) ?? []).slice();
  }

  state(): LedgerState {
    return this.current;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async close(): Promise<void> {
    clearTimeout(this.pendingReload);
    this.watcher?.close();
    fs.unwatchFile(this.logPath);
    this.listeners.clear();
  }
}
