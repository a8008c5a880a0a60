import type { Dependency, Verdict } from '../core/types';
import type { LedgerState } from '../ledger/ledger';
import type { StoredRecord } from '../ledger/record';
import { compareChecksums } from './checksums';

/** A verdict with the records that led to it and one sentence saying why. */
export interface Evaluation {
  verdict: Verdict;
  /** One line for diagnostics and tables: `untrusted: revoked by alice on 2026-12-03 (CVE-...)`. */
  summary: string;
  /** The record that decided the verdict, when one did. */
  decisive?: StoredRecord;
  /** Every record filed under the dependency's purl, oldest first. */
  records: StoredRecord[];
}

function day(time: string): string {
  return time.slice(0, 10);
}

export function describeRecord(r: StoredRecord): string {
  const rec = r.record;
  const verb = rec.status === 'trusted' ? 'trusted' : rec.status === 'untrusted' ? 'distrusted' : 'marked unsupported';
  return `${verb} by ${rec.actor.name} on ${day(rec.time)}${rec.reason ? ` (${rec.reason})` : ''}`;
}

/** Records that apply to the entry's kind of checksum (go.sum zip and go.mod lines differ). */
function sameChecksumKind(dep: Dependency, r: StoredRecord): boolean {
  const mine = dep.checksumOf ?? 'zip';
  const theirs = r.record.subject.checksumOf ?? 'zip';
  return mine === theirs || !r.record.subject.checksum;
}

/**
 * Decides one dependency's verdict from the records filed under its purl.
 *
 * Fails closed: a ledger that is compromised or unavailable yields that verdict for every
 * dependency, never `trusted`. Among the records, the latest one whose checksum agrees with the
 * entry (or that names none) decides. A record naming another checksum for the same purl makes
 * the entry a `mismatch` (same version, different content) unless a later agreeing record
 * decided on this content.
 */
export function evaluate(dep: Dependency, records: readonly StoredRecord[] | undefined, ledger: LedgerState): Evaluation {
  const all = records ? records.slice() : [];

  if (ledger.health === 'compromised') {
    return { verdict: 'compromised', summary: `ledger compromised: ${ledger.message}`, records: all };
  }
  if (ledger.health === 'unavailable') {
    return { verdict: 'unavailable', summary: `ledger unavailable: ${ledger.message}`, records: all };
  }
  if (dep.source === 'local' || dep.source === 'link') {
    return { verdict: 'local', summary: dep.hint ?? 'local package: part of this project, not a registry artifact', records: all };
  }
  if (!dep.purl) {
    return { verdict: 'unknown', summary: dep.hint ?? 'no exact version to check', records: all };
  }

  const counted = all.filter((r) => r.signature !== 'invalid' && r.proof !== 'failed');
  let decisive: StoredRecord | undefined;
  let conflict: StoredRecord | undefined;
  for (const r of counted) {
    if (!sameChecksumKind(dep, r)) continue;
    const cmp = compareChecksums(dep.checksums, r.record.subject.checksum);
    if (cmp === 'differ') conflict = r;
    else {
      decisive = r;
      if (conflict && conflict.index < r.index) conflict = undefined;
    }
  }

  if (conflict) {
    return {
      verdict: 'mismatch',
      summary: `same version, different content: ${describeRecord(conflict)} with checksum ${conflict.record.subject.checksum}`,
      decisive: conflict,
      records: all,
    };
  }
  if (!decisive) {
    const note = dep.source === 'gomod' ? ' (go.sum pins only its go.mod file; its source is not downloaded)' : '';
    return { verdict: 'unknown', summary: `no trust record${note}`, records: all };
  }
  return { verdict: decisive.record.status, summary: describeRecord(decisive), decisive, records: all };
}
