import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { TrustSession } from '../../app/session';
import type { Verdict } from '../../core/types';
import { ReviewError } from '../../review/git';
import {
  reviewChanges,
  type Review,
  type ReviewedChange,
  type ReviewedLockfile,
} from '../../review/review';
import { toSarif } from '../../review/sarif';
import { CliError, EXIT, ledgerOptions, withLedgerFlags, type LedgerFlags } from '../options';
import { colorVerdict, printable, safeJson, summarize, table, useColor, visibleWidth } from '../text';

interface ReviewFlags extends LedgerFlags {
  staged?: boolean;
  base?: string;
  format: 'text' | 'json' | 'sarif';
  allowUnknown?: boolean;
}

export function register(program: Command): void {
  withLedgerFlags(
    program
      .command('review')
      .description('review the dependencies a commit adds, changes or removes in its lockfiles')
      .option('--staged', 'compare the staged lockfiles (the git index) with HEAD')
      .option('--base <rev>', 'compare the working tree with this revision')
      .option(
        '--allow-unknown',
        'let dependencies without any decision pass (unless the policy fails on them)',
      )
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['text', 'json', 'sarif'])
          .default('text'),
      ),
  ).action(async (flags: ReviewFlags, cmd: Command) => {
    process.exitCode = await review(flags, cmd.parent?.version() ?? 'dev');
  });
}

async function review(flags: ReviewFlags, version: string): Promise<number> {
  if (Boolean(flags.staged) === (flags.base !== undefined)) {
    throw new CliError('USAGE', 'review needs exactly one of --staged or --base REV');
  }
  const target = flags.staged
    ? ({ staged: true } as const)
    : ({ staged: false, base: flags.base! } as const);

  const session = await TrustSession.open(ledgerOptions(flags));
  let result: Review;
  try {
    result = await reviewChanges(session, {
      cwd: process.cwd(),
      target,
      allowUnknown: flags.allowUnknown,
    });
  } catch (err) {
    if (err instanceof ReviewError) throw new CliError(err.code, err.message);
    throw err;
  } finally {
    await session.close();
  }

  for (const p of result.problems) {
    const where = p.file
      ? `${printable(p.file)}${p.range ? `:${p.range.start.line + 1}:${p.range.start.character + 1}` : ''}: `
      : 'deptrust: ';
    process.stderr.write(`${where}error: ${printable(p.message)} [${p.code}]\n`);
  }

  if (flags.format === 'json') process.stdout.write(safeJson(result, 2) + '\n');
  else if (flags.format === 'sarif')
    process.stdout.write(safeJson(toSarif(result, version), 2) + '\n');
  else process.stdout.write(toText(result));

  if (result.problems.length) {
    process.stderr.write('deptrust: the review could not be completed; nothing was judged safe\n');
    return EXIT.error;
  }
  if (result.blocked) {
    process.stderr.write(guidance(result, Boolean(flags.allowUnknown)));
    return EXIT.failed;
  }
  return EXIT.ok;
}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

function versionText(change: ReviewedChange): string {
  const before = change.before;
  const after = change.after;
  const show = (v: string | null | undefined) => v ?? '?';
  if (change.kind === 'added') return `+ ${show(after?.version)}`;
  if (change.kind === 'removed') return `- ${show(before?.version)}`;
  if (before?.version === after?.version)
    return `${show(after?.version)} (checksum ${short(before?.checksum)} → ${short(after?.checksum)})`;
  return `${show(before?.version)} → ${show(after?.version)}`;
}

function short(checksum: string | null | undefined): string {
  if (!checksum) return 'none';
  return checksum.length > 18 ? `${checksum.slice(0, 15)}…` : checksum;
}

function displayName(change: ReviewedChange): string {
  const entry = change.after ?? change.before;
  const platform = entry?.details?.platform ? ` (${entry.details.platform})` : '';
  return `${change.name}${platform}${entry?.checksumOf === 'go.mod' ? '/go.mod' : ''}`;
}

function toText(review: Review): string {
  const color = useColor(process.stdout);
  const out: string[] = [];
  const against = review.base.commit
    ? `${review.base.label} (${review.base.commit.slice(0, 12)})`
    : review.base.label;
  const merging = review.merging ? `, merging ${review.merging.slice(0, 12)}` : '';
  out.push(
    `Lockfile changes in the ${review.head.label === 'index' ? 'index' : 'working tree'} against ${printable(against)}${merging}`,
    '',
  );
  if (review.lockfiles.length === 0) out.push('No dependency changed.');
  for (const policy of review.policyChanges) {
    out.push(
      `Note: this change also edits the trust policy ${printable(policy)}; the verdicts follow ` +
        'the policy in the working tree, so review that edit too.',
      '',
    );
  }
  for (const lockfile of review.lockfiles) out.push(...lockfileText(lockfile, color), '');
  const blocking = review.lockfiles.reduce(
    (n, l) => n + l.changes.filter((c) => c.blocks).length,
    0,
  );
  if (blocking)
    out.push(`${blocking} ${blocking === 1 ? 'change blocks' : 'changes block'} the commit.`);
  return out.join('\n') + '\n';
}

function lockfileText(lockfile: ReviewedLockfile, color: boolean): string[] {
  const rows: string[][] = [['CHANGE', 'VERDICT', 'DEPENDENCY', 'VERSION', 'LINE', 'WHY']];
  const counts: Partial<Record<Verdict, number>> = {};
  for (const c of lockfile.changes) {
    if (c.kind !== 'removed') counts[c.verdict] = (counts[c.verdict] ?? 0) + 1;
    const entry = c.after ?? c.before!;
    rows.push([
      c.blocks ? `${c.kind}!` : c.kind,
      colorVerdict(c.verdict, c.verdict, color),
      printable(displayName(c)),
      printable(versionText(c)),
      c.kind === 'removed' ? '-' : String(entry.range.start.line + 1),
      printable(c.summary),
    ]);
  }
  const n = (k: string) => lockfile.changes.filter((c) => c.kind === k).length;
  return [
    `${printable(lockfile.relativePath)} (${lockfile.ecosystem})`,
    table(rows, visibleWidth),
    `${n('added')} added · ${n('changed')} changed · ${n('removed')} removed; added and changed: ${summarize(counts)}`,
  ];
}

/** What a user whose commit was stopped can do, entry by entry. */
function guidance(review: Review, allowUnknown: boolean): string {
  const out = ['', 'deptrust: this commit brings in dependencies the policy does not trust:'];
  const deciders = new Set<string>();
  let unknown = false;
  let mismatch = false;
  const targets: string[] = [];
  for (const lockfile of review.lockfiles) {
    for (const c of lockfile.changes.filter((x) => x.blocks)) {
      const at = `${relative(lockfile.path)}:${c.after!.range.start.line + 1}`;
      if (c.verdict !== 'mismatch') targets.push(at);
      out.push(
        `  ${printable(at)}  ${printable(displayName(c))}@${printable(c.after!.version ?? '?')}  ${c.verdict}: ${printable(c.summary)}`,
      );
      lockfile.policy.deciders.forEach((d) => deciders.add(d));
      if (c.verdict === 'unknown') unknown = true;
      if (c.verdict === 'mismatch') mismatch = true;
    }
  }
  out.push('', 'What to do:');
  // LIMITATION: `notarize FILE:LINE` reads the working tree; when it differs from the index,
  // the line printed here may name another entry there.
  if (targets.length) {
    out.push(
      `  - review each artifact, then record that you trust it: deptrust notarize ${printable(targets.join(' '))}`,
    );
  }
  out.push('  - or pin another version that is trusted, and stage the lockfile again');
  if (mismatch) {
    out.push(
      '  - a mismatch is the same version with other content: reinstall it from its registry; notarize only once you know why it changed',
    );
  }
  if (deciders.size)
    out.push(
      `  - or ask ${printable([...deciders].join(', '))}, whose decisions count under the policy`,
    );
  if (unknown && !allowUnknown)
    out.push(
      '  - dependencies without any decision pass with `deptrust review --allow-unknown` (`deptrust hook install --allow-unknown`)',
    );
  return out.join('\n') + '\n';
}
