/**
 * Checksums as lockfiles write them, compared by algorithm and digest bytes so that one
 * digest in hex (Gemfile.lock may write either) and in base64 compare equal.
 *
 *   npm integrity   `sha512-<base64>`, several separated by spaces (Subresource Integrity)
 *   go.sum          `h1:<base64>` (SHA-256 of the module's file list, see golang.org/x/mod/sumdb/dirhash)
 *   Gemfile.lock    `sha256=<hex or base64>`, several separated by commas
 */

export interface Digest {
  algorithm: string;
  /** Lower-case hex of the digest bytes, or the raw text when it decodes as neither. */
  value: string;
}

const HEX = /^[0-9a-f]+$/i;

function normalizeValue(raw: string): string {
  if (HEX.test(raw) && raw.length % 2 === 0) return raw.toLowerCase();
  const bytes = Buffer.from(raw, 'base64');
  return bytes.length > 0 ? bytes.toString('hex') : raw;
}

/** Splits one checksum field into its digests; text that is no digest at all is dropped. */
export function parseDigests(text: string): Digest[] {
  const out: Digest[] = [];
  for (const part of text.split(/[\s,]+/)) {
    const m = /^([A-Za-z0-9]+)([-:=])(.+)$/.exec(part);
    if (!m) continue;
    out.push({ algorithm: m[1].toLowerCase(), value: normalizeValue(m[3]) });
  }
  return out;
}

export type ChecksumComparison = 'match' | 'differ' | 'incomparable';

/**
 * Compares the checksums of an entry with the one of a record. They match when a shared
 * algorithm gives the same digest, differ when a shared algorithm gives another digest, and
 * are incomparable when they share no algorithm (or one side has none).
 */
export function compareChecksums(entry: readonly string[], recorded: string | undefined): ChecksumComparison {
  if (!recorded || entry.length === 0) return 'incomparable';
  const theirs = parseDigests(recorded);
  let result: ChecksumComparison = 'incomparable';
  for (const text of entry) {
    for (const mine of parseDigests(text)) {
      for (const other of theirs) {
        if (other.algorithm !== mine.algorithm) continue;
        if (other.value !== mine.value) return 'differ';
        result = 'match';
      }
    }
  }
  return result;
}
