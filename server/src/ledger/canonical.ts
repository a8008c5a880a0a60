import type { TrustRecord } from './record';
import { isTrustStatus } from './record';

/**
 * The canonical encoding of records: the bytes a signature covers and the bytes a log line
 * holds. It is RFC 8785 (JSON Canonicalization Scheme) for the values records contain:
 * object members sorted by their names' UTF-16 code units, no whitespace, strings escaped as
 * ECMAScript JSON.stringify escapes them (RFC 8785 section 3.2.2.2), integers only, UTF-8.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // Records hold only small integers (`v`); other numbers would need RFC 8785 section 3.2.2.3.
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot encode a ${typeof value}`);
}

/**
 * Domain separation for signatures: a deptrust key's signature over a record can never be
 * replayed as a signature over some other message of the same bytes.
 */
export const SIGNING_CONTEXT = 'deptrust-record-v1\n';

/**
 * The bytes an actor signs: SIGNING_CONTEXT followed by the canonical JSON of the record with
 * every member but `sig` (members unknown to this version included), UTF-8.
 */
export function signingBytes(record: object): Uint8Array {
  const { sig: _sig, ...unsigned } = record as Record<string, unknown>;
  return new TextEncoder().encode(SIGNING_CONTEXT + canonicalJson(unsigned));
}

/** The bytes of a record's log line (without its newline): the canonical JSON of all of it. */
export function lineBytes(record: object): Buffer {
  return Buffer.from(canonicalJson(record), 'utf8');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(o: Record<string, unknown>, key: string): boolean {
  return o[key] === undefined || typeof o[key] === 'string';
}

/**
 * Checks that a parsed value is a record of format version 1. Returns the reason it is not,
 * or undefined. Unknown members are allowed (and signed); missing or mistyped ones are not.
 */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a record must be a JSON object';
  if (value.v !== 1) return `unknown record version ${JSON.stringify(value.v)}, expected 1`;
  const subject = value.subject;
  if (!isObject(subject)) return '`subject` must be an object';
  if (typeof subject.purl !== 'string' || !subject.purl.startsWith('pkg:')) {
    return '`subject.purl` must be a package URL';
  }
  if (!optionalString(subject, 'checksum')) return '`subject.checksum` must be a string';
  if (
    subject.checksumOf !== undefined &&
    subject.checksumOf !== 'zip' &&
    subject.checksumOf !== 'go.mod'
  ) {
    return '`subject.checksumOf` must be "zip" or "go.mod"';
  }
  if (!isTrustStatus(value.status)) return '`status` must be trusted, untrusted or unsupported';
  const actor = value.actor;
  if (!isObject(actor) || typeof actor.name !== 'string' || actor.name === '') {
    return '`actor.name` must be a non-empty string';
  }
  if (!optionalString(actor, 'key')) return '`actor.key` must be a string';
  if (typeof value.time !== 'string' || !RFC3339.test(value.time)) {
    return '`time` must be an RFC 3339 time';
  }
  if (!optionalString(value, 'reason')) return '`reason` must be a string';
  if (!optionalString(value, 'sig')) return '`sig` must be a string';
  return undefined;
}

/** Parses one log line into a record, or returns why it is none. */
export function parseRecordLine(line: string): { record: TrustRecord } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
  const problem = recordProblem(value);
  return problem ? { problem } : { record: value as TrustRecord };
}
