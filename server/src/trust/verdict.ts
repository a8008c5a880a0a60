import type { Dependency, Verdict } from '../core/types';
import type { LedgerState } from '../ledger/ledger';
import type { StoredRecord } from '../ledger/record';
import { compareChecksums } from './checksums';
import {
  ANY_ROLE,
  localDefaultPolicy,
  type Policy,
  type PolicyActor,
  type TrustRequirement,
} from './policy';

/** A verdict with the records that led to it and one sentence saying why. */
export interface Evaluation {
  verdict: Verdict;
  /**
   * Why, without the verdict itself (callers print `verdict: summary`), e.g.
   * `vetoed by security-team on 2026-12-01 (CVE-2026-1234)` or
   * `needs 2 trusting actors of role release, has 1 (alice)`.
   */
  summary: string;
  /** The record that decided the verdict, when one did. */
  decisive?: StoredRecord;
  /** Every record filed under the dependency's purl, oldest first (counted or not). */
  records: StoredRecord[];
  /** The records the policy counted: the latest applicable one of each counted actor. */
  counted?: StoredRecord[];
}

function day(time: string): string {
  return time.slice(0, 10);
}

/** `trusted by alice on 2026-12-03 (reviewed)`; `name` overrides the record's own actor name. */
export function describeRecord(r: StoredRecord, name = r.record.actor.name): string {
  const rec = r.record;
  const verb =
    rec.status === 'trusted'
      ? 'trusted'
      : rec.status === 'untrusted'
        ? 'distrusted'
        : 'marked unsupported';
  return `${verb} by ${name} on ${day(rec.time)}${rec.reason ? ` (${rec.reason})` : ''}`;
}

/** Records that apply to the entry's kind of checksum (go.sum zip and go.mod lines differ). */
function sameChecksumKind(dep: Dependency, r: StoredRecord): boolean {
  const mine = dep.checksumOf ?? 'zip';
  const theirs = r.record.subject.checksumOf ?? 'zip';
  return mine === theirs || !r.record.subject.checksum;
}

/** Why a record does not count, or undefined when it does (then `actor` is its policy actor). */
function notCounted(r: StoredRecord, byKey: Map<string, PolicyActor>): string | undefined {
  if (r.proof !== 'verified') return 'not proven in the ledger';
  if (r.signature === 'missing') return 'unsigned';
  if (r.signature !== 'valid') return 'bad signature';
  const key = r.record.actor.key;
  if (!key || !byKey.has(key)) return 'key not in the policy';
  return undefined;
}

function hasRole(actor: PolicyActor, roles: readonly string[]): boolean {
  return roles.includes(ANY_ROLE) || actor.roles.some((role) => roles.includes(role));
}

function describeRoles(roles: readonly string[]): string {
  return roles.includes(ANY_ROLE) ? '' : ` of role ${roles.join(' or ')}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `(2 records not counted: 1 unsigned, 1 key not in the policy)`, or empty. */
function uncountedNote(reasons: Map<string, number>): string {
  if (reasons.size === 0) return '';
  const total = [...reasons.values()].reduce((a, b) => a + b, 0);
  const parts = [...reasons].map(([why, n]) => `${n} ${why}`);
  return ` (${plural(total, 'record')} not counted: ${parts.join(', ')})`;
}

/**
 * Decides one dependency's verdict from the records filed under its purl and the policy.
 *
 * Fails closed: a ledger that is compromised or unavailable yields that verdict for every
 * dependency, never `trusted`. Only records the policy counts take part: proven in the ledger,
 * validly signed by a key the policy names. Of each such actor only the latest record that
 * applies to the entry's checksum kind counts. Then, in this order:
 *   - an actor's latest record naming another checksum: `mismatch` (same version, different
 *     content), unless a counted actor decided later on this content;
 *   - a latest `untrusted` (then `unsupported`) record of an actor with a veto role decides;
 *   - `trusted` when every trust requirement of the policy is met;
 *   - otherwise `unknown`, saying what is missing.
 * Without a policy the local default applies (`localDefaultPolicy`).
 */
export function evaluate(
  dep: Dependency,
  records: readonly StoredRecord[] | undefined,
  ledger: LedgerState,
  policy: Policy = localDefaultPolicy(),
): Evaluation {
  const all = records ? records.slice() : [];

  if (ledger.health === 'compromised') {
    return {
      verdict: 'compromised',
      summary: `ledger compromised: ${ledger.message}`,
      records: all,
    };
  }
  if (ledger.health === 'unavailable') {
    return {
      verdict: 'unavailable',
      summary: `ledger unavailable: ${ledger.message}`,
      records: all,
    };
  }
  if (dep.source === 'local' || dep.source === 'link') {
    return {
      verdict: 'local',
      summary: dep.hint ?? 'local package: part of this project, not a registry artifact',
      records: all,
    };
  }
  if (!dep.purl) {
    return { verdict: 'unknown', summary: dep.hint ?? 'no exact version to check', records: all };
  }
  // Most entries of a lockfile have no record at all; they skip the policy's bookkeeping below.
  if (all.length === 0) return { verdict: 'unknown', summary: noRecord(dep, policy, ''), records: all, counted: [] };

  const byKey = new Map(policy.actors.map((a) => [a.key, a]));
  const uncounted = new Map<string, number>();
  const latest = new Map<string, StoredRecord>();
  for (const r of all) {
    if (!sameChecksumKind(dep, r)) continue;
    const why = notCounted(r, byKey);
    if (why) {
      uncounted.set(why, (uncounted.get(why) ?? 0) + 1);
      continue;
    }
    const key = r.record.actor.key!;
    const previous = latest.get(key);
    if (!previous || previous.index < r.index) latest.set(key, r);
  }
  const note = uncountedNote(uncounted);
  const counted = [...latest.values()].sort((a, b) => a.index - b.index);
  const actorOf = (r: StoredRecord): PolicyActor => byKey.get(r.record.actor.key!)!;
  const describe = (r: StoredRecord): string => describeRecord(r, actorOf(r).name);
  const base = { records: all, counted };

  // A decision on other content is no decision on this entry; it is a mismatch unless someone
  // counted decided on this content later.
  const differs = (r: StoredRecord): boolean =>
    compareChecksums(dep.checksums, r.record.subject.checksum) === 'differ';
  const conflicts = counted.filter(differs);
  const applicable = counted.filter((r) => !differs(r));
  const lastAgreeing = applicable.length ? applicable[applicable.length - 1].index : -1;
  const open = conflicts.filter((c) => c.index > lastAgreeing);
  if (open.length) {
    const c = open[open.length - 1];
    return {
      verdict: 'mismatch',
      summary: `same version, different content: ${describe(c)} with checksum ${c.record.subject.checksum}`,
      decisive: c,
      ...base,
    };
  }

  const vetoes = applicable.filter(
    (r) => r.record.status !== 'trusted' && hasRole(actorOf(r), policy.veto),
  );
  const veto = vetoes.filter((r) => r.record.status === 'untrusted').pop() ?? vetoes.pop();
  if (veto) {
    const verb = veto.record.status === 'untrusted' ? 'vetoed' : 'marked unsupported';
    const rec = veto.record;
    return {
      verdict: rec.status,
      summary: `${verb} by ${actorOf(veto).name} on ${day(rec.time)}${rec.reason ? ` (${rec.reason})` : ''}`,
      decisive: veto,
      ...base,
    };
  }

  const trusting = applicable.filter((r) => r.record.status === 'trusted');
  const unmet = policy.trust
    .map((req) => ({ req, have: trusting.filter((r) => hasRole(actorOf(r), req.roles)) }))
    .filter(({ req, have }) => have.length < req.count);
  if (policy.trust.length > 0 && unmet.length === 0 && trusting.length > 0) {
    const last = trusting[trusting.length - 1];
    const summary =
      trusting.length === 1
        ? describe(last)
        : `trusted by ${trusting.map((r) => actorOf(r).name).join(', ')}`;
    return { verdict: 'trusted', summary: summary + note, decisive: last, ...base };
  }

  if (applicable.length === 0) {
    return { verdict: 'unknown', summary: noRecord(dep, policy, note), ...base };
  }
  const others = applicable.filter((r) => r.record.status !== 'trusted').map(describe);
  const missing = unmet.map(({ req, have }) =>
    needs(
      req,
      have.map((r) => actorOf(r).name),
    ),
  );
  const tail = others.length ? `; ${others.join('; ')} (no veto)` : '';
  return { verdict: 'unknown', summary: `${missing.join('; ')}${tail}${note}`, ...base };
}

/** Why an entry with no applicable record is unknown. */
function noRecord(dep: Dependency, policy: Policy, note: string): string {
  const gomod =
    dep.source === 'gomod' ? ' (go.sum pins only its go.mod file; its source is not downloaded)' : '';
  const why = policy.actors.length === 0 ? `; ${policySourceText(policy)}` : '';
  return `no trust record${gomod}${why}${note}`;
}

function needs(req: TrustRequirement, have: string[]): string {
  const who = have.length ? ` (${have.join(', ')})` : '';
  return `needs ${plural(req.count, 'trusting actor')}${describeRoles(req.roles)}, has ${have.length}${who}`;
}

function policySourceText(policy: Policy): string {
  switch (policy.source.kind) {
    case 'file':
      return `the policy ${policy.source.path} names no actor`;
    case 'default':
      return policy.source.reason;
    case 'broken':
      return `the policy ${policy.source.path} is broken: ${policy.source.reason}`;
  }
}
