import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Verdict } from '../core/types';
import type { Review, ReviewedChange } from './review';

/** The schema SARIF 2.1.0 logs name (SARIF 2.1.0 §3.13.3, `$schema`). */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const HELP: Record<Verdict, string> = {
  trusted: 'The dependency is trusted under the policy.',
  untrusted:
    'An actor the policy counts has distrusted this artifact, or the trust quorum is not met.',
  mismatch:
    'The checksum differs from the one recorded for the same version: same version, different content.',
  unknown: 'No decision the policy counts exists for this artifact yet.',
  unsupported: 'An actor the policy counts marked this artifact unsupported.',
  local: "The entry is the project's own code (a path or workspace link), not a registry artifact.",
  unavailable: 'The ledger could not be read; nothing it would say can be shown.',
  compromised: 'The ledger failed verification; none of its answers are believed.',
};

function ruleId(verdict: Verdict): string {
  return `deptrust/${verdict}`;
}

function level(change: ReviewedChange): Sarif.Result.level {
  if (change.blocks) return 'error';
  return change.verdict === 'unknown' || change.verdict === 'unsupported' ? 'warning' : 'note';
}

function message(change: ReviewedChange): string {
  const after = change.after!;
  const what =
    change.kind === 'added'
      ? `${change.name}@${after.version ?? '?'} added`
      : `${change.name} changed from ${change.before?.version ?? '?'} to ${after.version ?? '?'}` +
        (change.before?.version === after.version ? ' with another checksum' : '');
  return `${what}: ${change.verdict} (${change.summary})`;
}

/**
 * The review as a SARIF 2.1.0 log. Each added or changed entry that is not trusted is a
 * result at the entry's place in the new lockfile; rule ids name the verdict. Region columns
 * count UTF-16 code units (§3.30.4 `columnKind` `utf16CodeUnits`, also what LSP counts),
 * 1-based (§3.30.5).
 */
export function toSarif(review: Review, toolVersion: string): Sarif.Log {
  const verdicts = new Set<Verdict>();
  const results: Sarif.Result[] = [];
  for (const lockfile of review.lockfiles) {
    for (const change of lockfile.changes) {
      if (change.kind === 'removed' || change.verdict === 'trusted' || change.verdict === 'local')
        continue;
      verdicts.add(change.verdict);
      const range = change.after!.range;
      results.push({
        ruleId: ruleId(change.verdict),
        level: level(change),
        message: { text: message(change) },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: lockfile.relativePath, uriBaseId: 'SRCROOT' },
              region: {
                startLine: range.start.line + 1,
                startColumn: range.start.character + 1,
                endLine: range.end.line + 1,
                endColumn: range.end.character + 1,
              },
            },
          },
        ],
        partialFingerprints: {
          'deptrust/purl': change.after!.purl ?? `${change.ecosystem}:${change.name}`,
        },
        properties: {
          change: change.kind,
          ecosystem: change.ecosystem,
          purl: change.after!.purl,
          checksum: change.after!.checksum,
        },
      });
    }
  }
  const rules: Sarif.ReportingDescriptor[] = [...verdicts].sort().map((v) => ({
    id: ruleId(v),
    name: v,
    shortDescription: { text: `dependency ${v}` },
    fullDescription: { text: HELP[v] },
    defaultConfiguration: { level: v === 'unknown' || v === 'unsupported' ? 'warning' : 'error' },
  }));
  const root = pathToFileURL(review.repository + path.sep).href;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'deptrust', version: toolVersion, rules } },
        originalUriBaseIds: { SRCROOT: { uri: root } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: review.problems.length === 0,
            toolExecutionNotifications: review.problems.map((p) => ({
              level: 'error',
              message: { text: p.message },
              descriptor: { id: p.code },
            })),
          },
        ],
        results,
      },
    ],
  };
}
