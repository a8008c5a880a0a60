import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dependency, TrustStatus } from '../core/types';
import { loadIdentity, signDecision, type Identity } from '../identity/identity';
import type { AppendResult, Ledger } from '../ledger/ledger';
import { createLedger, type LedgerOptions } from '../ledger/open';
import type { RecordSubject, StoredRecord } from '../ledger/record';
import { defaultPolicy, findPolicy, parsePolicy, type Policy, type PolicyLoad } from '../trust/policy';
import { evaluate, type Evaluation } from '../trust/verdict';

export interface Decision {
  subject: RecordSubject;
  status: TrustStatus;
  reason?: string;
}

/** A failure a user can act on, with a code callers branch on. */
export class SessionError extends Error {
  constructor(
    readonly code: 'IDENTITY_MISSING' | 'IDENTITY_UNUSABLE',
    message: string,
  ) {
    super(message);
  }
}

/** The subject a decision about this entry is filed under; null when it is no trust subject. */
export function subjectOf(dep: Dependency): RecordSubject | null {
  if (!dep.purl) return null;
  const subject: RecordSubject = { purl: dep.purl };
  if (dep.checksum) subject.checksum = dep.checksums.length > 1 ? dep.checksums.join(' ') : dep.checksum;
  if (dep.checksumOf) subject.checksumOf = dep.checksumOf;
  return subject;
}

export interface SessionOptions {
  /** The identity to sign with; default: the identity file (`DEPTRUST_IDENTITY` or data folder). */
  identity?: Identity;
}

/**
 * One ledger, the actor deciding through it, and the policies that say whose decisions count:
 * what the CLI and the language server share.
 */
export class TrustSession {
  private identityValue: Identity | undefined;
  private identityProblem: string | undefined;
  private readonly policies = new Map<string, { mtimeMs: number; load: PolicyLoad }>();

  private constructor(
    readonly ledger: Ledger,
    options: SessionOptions,
  ) {
    this.setIdentity(options.identity);
  }

  static async open(ledger: LedgerOptions, options: SessionOptions = {}): Promise<TrustSession> {
    const l = createLedger(ledger);
    await l.open();
    return new TrustSession(l, options);
  }

  /** Uses this identity from now on; undefined reads the identity file again. */
  setIdentity(identity: Identity | undefined): void {
    this.identityProblem = undefined;
    this.identityValue = identity;
    if (!identity) {
      try {
        this.identityValue = loadIdentity();
      } catch (err) {
        this.identityProblem = (err as Error).message;
      }
    }
    this.policies.clear();
  }

  get identity(): Identity | undefined {
    return this.identityValue;
  }

  /** Who decisions are recorded as, for messages. */
  get actor(): string {
    return this.identityValue?.name ?? '(no identity)';
  }

  /**
   * The policy governing a lockfile: the nearest `.deptrust/policy.json` up to the repository
   * root, re-read when it changes; without one, the default (this identity's records count).
   */
  policyFor(lockfilePath: string): PolicyLoad {
    const file = findPolicy(lockfilePath);
    if (!file) return { ok: true, policy: this.defaultPolicy() };
    let mtimeMs = -1;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      // vanished since findPolicy: parse what can be read, which reports it
    }
    const cached = this.policies.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.load;
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // unreadable now: parsed as empty, which reports it at the file's start
    }
    const load = this.parsePolicyText(text, file);
    this.policies.set(file, { mtimeMs, load });
    return load;
  }

  /** Parses a policy's text (an open editor buffer may be newer than the file). */
  parsePolicyText(text: string, file: string): PolicyLoad {
    return parsePolicy(text, path.resolve(file));
  }

  private defaultPolicy(): Policy {
    const p = defaultPolicy(this.identityValue?.publicKey, this.identityValue?.name);
    if (this.identityProblem) p.source = { kind: 'default', reason: `no policy file, and the identity is unusable: ${this.identityProblem}` };
    return p;
  }

  /** Verdicts for many dependencies with one batched lookup. */
  async evaluate(deps: readonly Dependency[], policy: Policy = this.defaultPolicy()): Promise<Evaluation[]> {
    const purls = new Set<string>();
    for (const d of deps) if (d.purl) purls.add(d.purl);
    const records = await this.ledger.lookup(purls);
    const state = this.ledger.state();
    return deps.map((d) => evaluate(d, d.purl ? records.get(d.purl) : undefined, state, policy));
  }

  /** Signs a decision with this session's identity and appends it to the ledger. */
  async decide(decision: Decision): Promise<AppendResult> {
    const identity = this.identityValue;
    if (!identity) {
      if (this.identityProblem) throw new SessionError('IDENTITY_UNUSABLE', `cannot sign: ${this.identityProblem}`);
      throw new SessionError('IDENTITY_MISSING', 'no identity to sign decisions with; create one with `deptrust identity create --name NAME`');
    }
    return this.ledger.append(signDecision(identity, decision));
  }

  history(purl: string): Promise<StoredRecord[]> {
    return this.ledger.history(purl);
  }

  close(): Promise<void> {
    return this.ledger.close();
  }
}
