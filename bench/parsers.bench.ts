// Parse time of every lockfile parser, side by side with its floor and the tools people use:
//   package-lock.json  JSON.parse of the same text (floor), @npmcli/arborist loadVirtual,
//                      snyk-nodejs-lockfile-parser parseNpmLockV2Project
//   Gemfile.lock       Bundler::LockfileParser, timed inside Ruby (bench/bundler_parse.rb)
//   pom.xml            saxes alone, with the options the parser uses (floor)
//   go.sum             splitting the text into lines (floor)
// Every timing starts from the file's bytes in memory, as a reader of a file must: deptrust
// decodes them as the CLI does (`decodeLockfile`) and parses, in a bundle built as the shipped
// ones are (shipped.ts); the floors decode them to text and do the least work of their kind.
// Arborist reads the lockfile itself (about 1 ms for a megabyte more; it has no entry point
// taking text); the npm peers take the text already decoded. The npm peers and Bundler run in
// processes of their own with a deadline; one past it is reported as a lower bound.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SaxesParser } from 'saxes';
import type { BenchInput } from './inputs';
import { measureTogether, summarize, type Budget, type Stats } from './measure';
import type { Row } from './report';
import { referenceGemfileLock, referenceGoSum } from './references';
import { shippedParsers } from './shipped';

export interface ParseFigures {
  input: BenchInput;
  bytes: number;
  entries: number;
  deptrust: Stats;
  /** The floor: the least any parser of this format must do. */
  floor: { what: string; stats: Stats };
  /** For the line formats: the floor plus one entry object per line, no checks (references.ts). */
  reference?: { what: string; stats: Stats; entries: number };
  peers: Array<{ what: string; stats?: Stats; note?: string }>;
}

/** Fewer runs for the large inputs, so the whole suite stays within about ten minutes. */
function budgetFor(bytes: number): Budget {
  if (bytes > 8e6) return { minRuns: 3, maxRuns: 3, budgetMs: 0, warmup: 1 };
  if (bytes > 1.5e6) return { minRuns: 5, maxRuns: 7, budgetMs: 3000, warmup: 1, warmupMs: 300 };
  return { minRuns: 10, maxRuns: 25, budgetMs: 2000, warmup: 3, warmupMs: 500 };
}

/** A throw-away folder holding `package-lock.json` (a link to the input) and a package.json. */
function npmProjectDir(file: string, manifest: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-npm-'));
  fs.symlinkSync(file, path.join(dir, 'package-lock.json'));
  fs.writeFileSync(path.join(dir, 'package.json'), manifest);
  return dir;
}

/**
 * The package.json a lockfile was written for, rebuilt from its root entry (`packages[""]`)
 * when none sits next to it: snyk's parser needs one, and the v2 shared file has none.
 */
function manifestFor(file: string, text: string): string {
  const beside = path.join(path.dirname(file), 'package.json');
  if (path.basename(file) === 'package-lock.json' && fs.existsSync(beside))
    return fs.readFileSync(beside, 'utf8');
  const root =
    (JSON.parse(text) as { packages?: Record<string, Record<string, unknown>> }).packages?.[''] ??
    {};
  const {
    name = 'bench',
    version = '0.0.0',
    dependencies,
    devDependencies,
    optionalDependencies,
  } = root;
  return JSON.stringify({ name, version, dependencies, devDependencies, optionalDependencies });
}

/**
 * The peers are slow on the large inputs (arborist takes seconds per megabyte): fewer runs,
 * so the whole suite stays within about ten minutes.
 */
function peerBudget(bytes: number): Budget {
  if (bytes > 8e6) return { minRuns: 1, maxRuns: 1, budgetMs: 0, warmup: 0 };
  if (bytes > 1.5e6) return { minRuns: 2, maxRuns: 2, budgetMs: 0, warmup: 1 };
  return { minRuns: 5, maxRuns: 10, budgetMs: 3000, warmup: 1 };
}

/** A peer gives up after this long: arborist's loadVirtual grows much faster than linearly. */
const PEER_TIMEOUT_MS = 60_000;

/** Runs bench/npm-peers.ts for one tool; a run past the deadline gives a lower bound. */
function npmPeer(
  tool: 'arborist' | 'snyk',
  dir: string,
  budget: Budget,
): ParseFigures['peers'][number] {
  const what = tool === 'arborist' ? 'arborist loadVirtual' : 'snyk parseNpmLockV2Project';
  const script = path.join(__dirname, 'npm-peers.ts');
  const args = [
    '--expose-gc',
    '--import',
    'tsx',
    script,
    tool,
    dir,
    String(budget.maxRuns ?? 5),
    String(budget.warmup ?? 1),
  ];
  const t = performance.now();
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: PEER_TIMEOUT_MS,
    maxBuffer: 1 << 24,
  });
  const waited = performance.now() - t;
  if (
    r.signal === 'SIGTERM' ||
    (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT'
  ) {
    return {
      what,
      stats: { median: waited, min: waited, max: waited, runs: 0 },
      note:
        `did not finish within ${PEER_TIMEOUT_MS / 1000} s ` +
        '(process start and warm-up included); a lower bound',
    };
  }
  if (r.status !== 0)
    return { what, note: `failed: ${(r.stderr || String(r.error)).slice(0, 200)}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    samples_ms: number[];
    cpu_ms: number[];
    count: number;
  };
  const cpu = summarize(out.cpu_ms);
  const count =
    tool === 'arborist'
      ? `${out.count} nodes, reads the file`
      : `${out.count} packages reachable from package.json`;
  return {
    what,
    stats: {
      ...summarize(out.samples_ms),
      cpu: { median: cpu.median, min: cpu.min, max: cpu.max },
    },
    note: count,
  };
}

function npmPeers(input: BenchInput, text: string, budget: Budget): ParseFigures['peers'] {
  const dir = npmProjectDir(input.file, manifestFor(input.file, text));
  try {
    return [npmPeer('arborist', dir, budget), npmPeer('snyk', dir, budget)];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Bundler gives up after this long: its parse grows faster than linearly with the specs. */
const BUNDLER_TIMEOUT_MS = 45_000;

function bundlerPeer(input: BenchInput, budget: Budget): ParseFigures['peers'][number] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-gem-'));
  const gemfile = path.join(dir, 'Gemfile');
  fs.writeFileSync(gemfile, "source 'https://rubygems.org'\n");
  const runs = String(budget.maxRuns ?? 10);
  const script = path.join(__dirname, 'bundler_parse.rb');
  const t = performance.now();
  const r = spawnSync('ruby', [script, input.file, runs, '3000'], {
    encoding: 'utf8',
    env: { ...process.env, BUNDLE_GEMFILE: gemfile },
    timeout: BUNDLER_TIMEOUT_MS,
  });
  const waited = performance.now() - t;
  fs.rmSync(dir, { recursive: true, force: true });
  const what = 'Bundler LockfileParser';
  if (r.error || r.status !== 0) {
    if (
      r.signal === 'SIGTERM' ||
      (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT'
    ) {
      return {
        what,
        stats: { median: waited, min: waited, max: waited, runs: 0 },
        note: `one parse did not finish in ${BUNDLER_TIMEOUT_MS / 1000} s; a lower bound`,
      };
    }
    return { what, note: `ruby failed: ${(r.stderr || String(r.error)).slice(0, 200)}` };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    specs: number;
    samples_ms: number[];
  };
  return { what, stats: summarize(out.samples_ms), note: `${out.specs} specs` };
}

/** The floor of a format: what it is, and one run of it from the file's bytes. */
function floorOf(input: BenchInput, buffer: Buffer): { what: string; run: () => unknown } {
  const text = (): string => buffer.toString('utf8');
  switch (input.format) {
    case 'package-lock':
      return { what: 'JSON.parse (floor)', run: () => JSON.parse(text()) };
    case 'go-sum':
    case 'gemfile-lock':
      return { what: 'decode and split lines (floor)', run: () => text().split('\n') };
    case 'pom':
      // saxes with the parser's options and do-nothing handlers: tokenizing without a tree.
      return {
        what: 'saxes alone (floor)',
        run: () => {
          const parser = new SaxesParser({ position: true });
          parser.on('opentag', () => undefined);
          parser.on('closetag', () => undefined);
          parser.on('text', () => undefined);
          parser.write(text()).close();
        },
      };
  }
}

/**
 * deptrust, its floor and (for the line formats) the reference reader are timed in
 * alternation (measureTogether), so their ratio is that of one moment of the machine.
 */
export async function benchParse(input: BenchInput): Promise<ParseFigures> {
  const buffer = fs.readFileSync(input.file);
  const text = buffer.toString('utf8');
  const budget = budgetFor(buffer.length);
  let entries = 0;
  const { decodeLockfile, parseLockfile } = await shippedParsers();
  const floor = floorOf(input, buffer);
  const runs: Array<() => unknown> = [
    () => {
      const decoded = decodeLockfile(buffer, input.format);
      entries = parseLockfile(input.format, decoded, { path: input.file }).dependencies.length;
    },
    floor.run,
  ];
  let referenceEntries = 0;
  const lineFormat = input.format === 'go-sum' || input.format === 'gemfile-lock';
  if (lineFormat) {
    const read = input.format === 'go-sum' ? referenceGoSum : referenceGemfileLock;
    runs.push(() => {
      referenceEntries = read(buffer.toString('utf8')).length;
    });
  }
  const [deptrust, floorStats, referenceStats] = await measureTogether(runs, budget);
  const reference: ParseFigures['reference'] = lineFormat
    ? {
        what: 'split, fields, entry objects; no checks',
        stats: referenceStats,
        entries: referenceEntries,
      }
    : undefined;
  let peers: ParseFigures['peers'] = [];
  if (input.format === 'package-lock') peers = npmPeers(input, text, peerBudget(buffer.length));
  if (input.format === 'gemfile-lock') peers = [bundlerPeer(input, peerBudget(buffer.length))];
  return {
    input,
    bytes: buffer.length,
    entries,
    deptrust,
    floor: { what: floor.what, stats: floorStats },
    reference,
    peers,
  };
}

export function parseRows(figures: ParseFigures[]): Row[] {
  const rows: Row[] = [];
  for (const f of figures) {
    const input = `${f.input.label} ${(f.bytes / 1e6).toFixed(2)} MB`;
    const origin = f.input.origin === 'synthetic' ? ', synthetic' : '';
    rows.push({
      group: 'parse',
      what: 'deptrust parse',
      input,
      stats: f.deptrust,
      unit: 'ms',
      note: `${f.entries} entries${origin}`,
    });
    rows.push({
      group: 'parse',
      what: f.floor.what,
      input,
      stats: f.floor.stats,
      unit: 'ms',
      ratio: f.deptrust.median / f.floor.stats.median,
    });
    if (f.reference) {
      rows.push({
        group: 'parse',
        what: f.reference.what,
        input,
        stats: f.reference.stats,
        unit: 'ms',
        ratio: f.deptrust.median / f.reference.stats.median,
        note: `reference, not a target: ${f.reference.entries} entries`,
      });
    }
    for (const p of f.peers) {
      rows.push({
        group: 'parse',
        what: p.what,
        input,
        stats: p.stats,
        unit: 'ms',
        ratio: p.stats && p.stats.runs > 0 ? f.deptrust.median / p.stats.median : undefined,
        note: p.note,
      });
    }
  }
  return rows;
}
