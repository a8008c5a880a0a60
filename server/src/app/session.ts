import type { Dependency, TrustStatus } from '../core/types';
import type { AppendResult, Ledger } from '../ledger/ledger';
import { createLedger, type LedgerOptions } from '../ledger/open';
import type { RecordSubject, StoredRecord, TrustRecord } from '../ledger/record';
import { evaluate, type Evaluation } from '../trust/verdict';
import { defaultActorName } from './actor';

export interface Decision {
  subject: RecordSubject;
  status: TrustStatus;
  reason?: string;
}

/** The subject a decision about this entry is filed under; null when it is no trust subject. */
export function subjectOf(dep: Dependency): RecordSubject | null {
  if (!dep.purl) return null;
  const subject: RecordSubject = { purl: dep.purl };
  if (dep.checksum) subject.checksum = dep.checksums.length > 1 ? dep.checksums.join(' ') : dep.checksum;
  if (dep.checksumOf) subject.checksumOf = dep.checksumOf;
  return subject;
}

/**
 * One ledger and the actor deciding through it: what the CLI and the language server share.
 */
export class TrustSession {
  private constructor(
    readonly ledger: Ledger,
    private readonly actorName: string,
  ) {}

  static async open(options: LedgerOptions, actorName = defaultActorName()): Promise<TrustSession> {
    const ledger = createLedger(options);
    await ledger.open();
    return new TrustSession(ledger, actorName);
  }

  get actor(): string {
    return this.actorName;
  }

  /** Verdicts for many dependencies with one batched lookup. */
  async evaluate(deps: readonly Dependency[]): Promise<Evaluation[]> {
    const purls = new Set<string>();
    for (const d of deps) if (d.purl) purls.add(d.purl);
    const records = await this.ledger.lookup(purls);
    const state = this.ledger.state();
    return deps.map((d) => evaluate(d, d.purl ? records.get(d.purl) : undefined, state));
  }

  async decide(decision: Decision): Promise<AppendResult> {
    const record: TrustRecord = {
      v: 1,
      subject: decision.subject,
      status: decision.status,
      actor: { name: this.actorName },
      time: new Date().toISOString(),
    };
    if (decision.reason) record.reason = decision.reason;
    return this.ledger.append(record);
  }

  history(purl: string): Promise<StoredRecord[]> {
    return this.ledger.history(purl);
  }

  close(): Promise<void> {
    return this.ledger.close();
  }
}
