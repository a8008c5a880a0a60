import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { SessionError, type TrustSession } from '../app/session';
import type { RecordSubject } from '../ledger/record';
import { ReviewError } from '../review/git';
import { reviewChanges } from '../review/review';
import {
  REVIEW_REQUEST,
  type ReviewDecision,
  type ReviewParams,
  type ReviewResult,
} from './protocol';

/** The record subject of a reviewed entry, filed as `subjectOf` files a lockfile entry. */
function subjectOf(entry: ReviewDecision['entry']): RecordSubject | undefined {
  if (!entry.purl) return undefined;
  const subject: RecordSubject = { purl: entry.purl };
  if (entry.checksum)
    subject.checksum = entry.checksums.length > 1 ? entry.checksums.join(' ') : entry.checksum;
  if (entry.checksumOf) subject.checksumOf = entry.checksumOf;
  return subject;
}

/**
 * Answers `deptrust/review` with the session the server holds (the editor's ledger and
 * identity). Failures are answers with a code, never thrown: a review that cannot be made is
 * shown as such, never as an empty, passing one.
 */
export function registerReview(
  connection: Connection,
  session: () => TrustSession | undefined,
): void {
  connection.onRequest(REVIEW_REQUEST, async (p: ReviewParams): Promise<ReviewResult> => {
    const s = session();
    if (!s)
      return {
        error: {
          code: 'REVIEW_LEDGER_FAILED',
          message: 'the ledger is not open; see the deptrust output',
        },
      };
    try {
      for (const d of p.decide ?? []) {
        const subject = subjectOf(d.entry);
        if (!subject)
          return {
            error: {
              code: 'TARGET_NOT_A_SUBJECT',
              message: 'this entry is not a registry artifact',
            },
          };
        await s.decide({ subject, status: d.status, reason: d.reason });
      }
      const cwd = p.folder.startsWith('file:') ? fileURLToPath(p.folder) : p.folder;
      const target = p.staged
        ? ({ staged: true } as const)
        : ({ staged: false, base: p.base ?? 'HEAD' } as const);
      return { review: await reviewChanges(s, { cwd, target, allowUnknown: p.allowUnknown }) };
    } catch (err) {
      if (err instanceof ReviewError || err instanceof SessionError)
        return { error: { code: err.code, message: err.message } };
      connection.console.error(
        `review failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      return {
        error: { code: 'REVIEW_FAILED', message: err instanceof Error ? err.message : String(err) },
      };
    }
  });
}
