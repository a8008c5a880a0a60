import * as fs from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { findLockfiles } from '../../app/discover';
import { loadLockfile, LockfileError, type LoadedLockfile } from '../../app/lockfiles';
import { TrustSession } from '../../app/session';
import type { LockfileFormat, Verdict } from '../../core/types';
import { failsCheck, type PolicyLoad } from '../../trust/policy';
import type { Evaluation } from '../../trust/verdict';
import { CliError, EXIT, ledgerOptions, withLedgerFlags, type LedgerFlags } from '../options';
import { ChunkedWriter, colorVerdict, printable, safeJson, summarize, table, useColor, visibleWidth } from '../text';

interface CheckFlags extends LedgerFlags {
  format: 'text' | 'json';
  failOn: 'untrusted' | 'unknown';
  type?: LockfileFormat;
}

interface CheckedFile {
  file: LoadedLockfile;
  policy: PolicyLoad;
  evaluations: Evaluation[];
}

/** Verdicts that mean the ledger's answers cannot be believed: exit 2. */
const LEDGER_FAILURE: ReadonlySet<Verdict> = new Set(['compromised', 'unavailable']);

export function register(program: Command): void {
  withLedgerFlags(
    program
      .command('check')
      .description('check the trust verdict of every dependency pinned in lockfiles')
      .argument('[paths...]', 'lockfiles, or folders to search for them', ['.'])
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addOption(new Option('--fail-on <verdict>', 'also fail on unknown dependencies').choices(['untrusted', 'unknown']).default('untrusted'))
      .addOption(new Option('--type <format>', 'read files as this format whatever their name').choices(['package-lock', 'go-sum', 'gemfile-lock', 'pom'])),
  ).action(async (paths: string[], flags: CheckFlags) => {
    process.exitCode = await check(paths, flags);
  });
}

function expand(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new CliError('PATH_NOT_FOUND', `${p}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      const found = findLockfiles(p);
      if (found.length === 0) throw new CliError('NO_LOCKFILES', `${p}: no lockfile found (package-lock.json, go.sum, Gemfile.lock, pom.xml)`);
      files.push(...found);
    } else files.push(p);
  }
  return files;
}

async function check(paths: string[], flags: CheckFlags): Promise<number> {
  const files = expand(paths);
  const loaded: LoadedLockfile[] = [];
  let inputError = false;
  for (const f of files) {
    try {
      loaded.push(loadLockfile(f, flags.type));
    } catch (err) {
      if (!(err instanceof LockfileError)) throw err;
      process.stderr.write(`deptrust: ${printable(err.message)}\n`);
      inputError = true;
    }
  }

  const session = await TrustSession.open(ledgerOptions(flags));
  const checked: CheckedFile[] = [];
  try {
    for (const file of loaded) {
      const policy = session.policyFor(file.path);
      checked.push({ file, policy, evaluations: await session.evaluate(file.result.dependencies, policy.policy) });
    }
  } finally {
    await session.close();
  }
  const ledger = session.ledger;

  // A broken policy is an error at its position, never a silent default.
  const reported = new Set<string>();
  for (const { policy } of checked) {
    if (policy.ok || reported.has(policy.file)) continue;
    reported.add(policy.file);
    inputError = true;
    for (const e of policy.errors) {
      process.stderr.write(`${printable(policy.file)}:${e.range.start.line + 1}:${e.range.start.character + 1}: error: ${printable(e.message)} [${e.code}]\n`);
    }
  }

  for (const { file } of checked) {
    for (const p of file.result.problems) {
      if (p.severity !== 'error' && p.severity !== 'warning') continue;
      process.stderr.write(`${printable(file.path)}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${p.severity}: ${printable(p.message)} [${p.code}]\n`);
    }
    if (!file.result.ok) inputError = true;
  }
  const state = ledger.state();
  if (state.health !== 'ok') process.stderr.write(`deptrust: ledger ${state.health}: ${state.message}\n`);

  if (flags.format === 'json') writeJson(checked, ledger.kind, ledger.location, state);
  else {
    process.stdout.write(toText(checked));
    // Answers that are not fresh are marked where the verdicts are read, not only on stderr.
    if (state.health !== 'ok') process.stdout.write(`ledger ${state.health}: ${printable(state.message)}\n`);
  }

  let failed = false;
  let ledgerFailed = state.health === 'compromised' || state.health === 'unavailable';
  for (const { evaluations, policy } of checked) {
    for (const e of evaluations) {
      if (failsCheck(e.verdict, policy.policy) || (flags.failOn === 'unknown' && e.verdict === 'unknown')) failed = true;
      if (LEDGER_FAILURE.has(e.verdict)) ledgerFailed = true;
    }
  }
  if (inputError || ledgerFailed) return EXIT.error;
  return failed ? EXIT.failed : EXIT.ok;
}

/**
 * The public JSON contract, written entry by entry: one dependency a line, so a lockfile of a
 * million entries is reported without building one giant string.
 */
function writeJson(checked: CheckedFile[], kind: string, location: string, state: ReturnType<TrustSession['ledger']['state']>): void {
  const out = new ChunkedWriter();
  out.write('{"files": [\n');
  checked.forEach(({ file, evaluations }, fileIndex) => {
    const head = {
      path: file.path,
      ecosystem: file.result.ecosystem,
      format: file.format,
      ok: file.result.ok,
      problems: file.result.problems,
      policy: policySummary(file.path, checked),
    };
    out.write(`${safeJson(head).slice(0, -1)}, "dependencies": [\n`);
    file.result.dependencies.forEach((d, i) => {
      const entry = {
        name: d.name,
        version: d.version,
        purl: d.purl,
        checksum: d.checksum,
        checksums: d.checksums,
        range: d.range,
        status: evaluations[i].verdict,
        reason: evaluations[i].summary,
        source: d.source,
        ...(d.hint ? { hint: d.hint } : {}),
        ...(d.details ? { details: d.details } : {}),
      };
      out.write(`  ${safeJson(entry)}${i + 1 < file.result.dependencies.length ? ',' : ''}\n`);
    });
    out.write(`]}${fileIndex + 1 < checked.length ? ',' : ''}\n`);
  });
  const ledger = { kind, location, health: state.health, message: state.message, size: state.size, root: state.root };
  out.write(`], "ledger": ${safeJson(ledger)}}\n`);
  out.flush();
}

function policySummary(filePath: string, checked: CheckedFile[]) {
  const load = checked.find((c) => c.file.path === filePath)?.policy;
  if (!load) return null;
  const source = load.policy.source;
  return { ok: load.ok, source: source.kind, path: 'path' in source ? source.path : null, actors: load.policy.actors.map((a) => a.name) };
}

/** Paths under the working folder relative to it, others absolute. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p);
}

function toText(checked: CheckedFile[]): string {
  const color = useColor(process.stdout);
  const out: string[] = [];
  const total: Partial<Record<Verdict, number>> = {};
  for (const { file, evaluations, policy } of checked) {
    const counts: Partial<Record<Verdict, number>> = {};
    const rows: string[][] = [['VERDICT', 'DEPENDENCY', 'LINE', 'WHY']];
    // When the policy counts no one, every row would end with the same reason: say it once.
    const source = policy.policy.source;
    const sharedReason = policy.policy.actors.length === 0 && source.kind === 'default' ? `; ${source.reason}` : '';
    const why = (summary: string) => (sharedReason && summary.endsWith(sharedReason) ? summary.slice(0, -sharedReason.length) : summary);
    file.result.dependencies.forEach((d, i) => {
      const e = evaluations[i];
      counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
      total[e.verdict] = (total[e.verdict] ?? 0) + 1;
      rows.push([
        colorVerdict(e.verdict, e.verdict, color),
        printable(`${d.name}@${d.version ?? '?'}${d.details?.platform ? ` (${d.details.platform})` : ''}${d.checksumOf === 'go.mod' ? '/go.mod' : ''}`),
        String(d.range.start.line + 1),
        printable(why(e.summary)),
      ]);
    });
    out.push(`${printable(displayPath(file.path))} (${file.result.ecosystem})`);
    if (sharedReason) out.push(`note: ${printable(sharedReason.slice(2))}`);
    if (rows.length > 1) out.push(table(rows, visibleWidth));
    const n = file.result.dependencies.length;
    out.push(`${n} ${n === 1 ? 'dependency' : 'dependencies'}: ${summarize(counts)}`, '');
  }
  if (checked.length > 1) out.push(`${checked.length} lockfiles: ${summarize(total)}`);
  return out.join('\n') + '\n';
}
