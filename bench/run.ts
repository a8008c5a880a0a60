// `npm run bench`: every benchmark in one run, one table, the targets with their margins, and
// the figures as JSON: bench/results/latest.json for a whole run, bench/results/partial.json for
// a part of one (--only, --quick, --match), unless --out says otherwise.
//   node --expose-gc --import tsx bench/run.ts [--only parse,lsp,ledger,immudb,cli]
//                                              [--quick] [--match TEXT] [--no-build] [--out FILE]
// --quick leaves out the 50,000-package files and the 1,000,000-record ledger; --match keeps
// the inputs whose label contains TEXT.
// Figures are only worth comparing from a quiet machine: the load average is recorded.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchCheck, benchNodeStart, benchReview } from './cli.bench';
import { GENERATED_SIZES, generateAll } from './generate';
import { FORMAT_LABEL, REPO, realInputs, type BenchInput } from './inputs';
import { benchEmbedded, benchImmudb, embeddedRows, type EmbeddedFigure } from './ledgers.bench';
import { benchLsp, benchLspMemory, lspRows, type LspFigures, type LspMemory } from './lsp.bench';
import { benchParse, parseRows, type ParseFigures } from './parsers.bench';
import { formatTable, formatTargets, target, type Row, type Target } from './report';

const STAGES = ['parse', 'lsp', 'ledger', 'immudb', 'cli'] as const;
type Stage = (typeof STAGES)[number];

interface Args {
  stages: Set<Stage>;
  quick: boolean;
  match?: string;
  build: boolean;
  out: string;
}

function readArgs(argv: string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only')
    ?.split(',')
    .map((s) => s.trim());
  for (const s of only ?? []) {
    if (!(STAGES as readonly string[]).includes(s))
      throw new Error(`--only: unknown stage ${s}; stages: ${STAGES.join(', ')}`);
  }
  return {
    stages: new Set((only ?? STAGES) as Stage[]),
    quick: argv.includes('--quick'),
    match: value('--match'),
    build: !argv.includes('--no-build'),
    // Only a whole run replaces the committed figures; a part of one goes beside them.
    out: path.resolve(
      value('--out') ??
        path.join(
          REPO,
          'bench',
          'results',
          only || argv.includes('--quick') || value('--match') ? 'partial.json' : 'latest.json',
        ),
    ),
  };
}

function progress(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

function environment(): Record<string, unknown> {
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], {
    cwd: REPO,
    encoding: 'utf8',
  }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'server', 'bin'], {
    cwd: REPO,
    encoding: 'utf8',
  }).stdout.trim();
  const ruby = spawnSync(
    'ruby',
    ['-e', 'require "bundler"; print RUBY_VERSION, " bundler ", Bundler::VERSION'],
    { encoding: 'utf8' },
  );
  const version = (pkg: string): string | undefined => {
    try {
      return (
        JSON.parse(
          fs.readFileSync(path.join(REPO, 'node_modules', pkg, 'package.json'), 'utf8'),
        ) as { version: string }
      ).version;
    } catch {
      return undefined;
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    ruby: ruby.status === 0 ? ruby.stdout : undefined,
    packages: Object.fromEntries(
      [
        '@npmcli/arborist',
        'snyk-nodejs-lockfile-parser',
        'saxes',
        'jsonc-parser',
        'packageurl-js',
      ].map((p) => [p, version(p)]),
    ),
    commit,
    /** Files under server/ or bin/ that differ from the commit: the figures include them. */
    uncommitted: dirty ? dirty.split('\n').map((l) => l.trim()) : [],
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

function generatedInputs(quick: boolean): BenchInput[] {
  return generateAll()
    .filter((g) => !quick || g.size === GENERATED_SIZES[0])
    .map((g) => ({
      label: `${FORMAT_LABEL[g.format]} ${g.size / 1000}k`,
      format: g.format,
      file: g.file,
      origin: 'synthetic' as const,
    }));
}

function isNpm1MB(f: { input: BenchInput }): boolean {
  return f.input.origin === 'real' && f.input.format === 'package-lock';
}

function parseTargets(figures: ParseFigures[]): Target[] {
  const targets: Target[] = [];
  for (const f of figures) {
    const ratio = f.deptrust.median / f.floor.stats.median;
    targets.push(target(`parse ${f.input.label} within 3x of ${f.floor.what}`, ratio, 3, 'x'));
    for (const p of f.peers) {
      if (!p.stats) {
        targets.push(
          target(`parse ${f.input.label} faster than ${p.what}`, undefined, 1, 'x', p.note),
        );
      } else if (p.stats.runs === 0) {
        // The peer did not finish: its figure is a lower bound, enough when we are below it.
        const r = f.deptrust.median / p.stats.median;
        targets.push(
          target(
            `parse ${f.input.label} faster than ${p.what}`,
            r,
            1,
            'x',
            `${p.what} did not finish; ratio is an upper bound`,
          ),
        );
      } else {
        targets.push(
          target(
            `parse ${f.input.label} faster than ${p.what}`,
            f.deptrust.median / p.stats.median,
            1,
            'x',
          ),
        );
      }
    }
  }
  return targets;
}

function lspTargets(figures: LspFigures[]): Target[] {
  const out: Target[] = [];
  for (const f of figures.filter(isNpm1MB)) {
    const mb = `${(f.bytes / 1e6).toFixed(2)} MB`;
    out.push(
      target(`LSP open ${f.input.label} (${mb}) to first diagnostics`, f.open.median, 150, 'ms'),
    );
    out.push(
      target(
        `LSP one-line edit ${f.input.label} (${mb}) to updated diagnostics`,
        f.edit.median,
        30,
        'ms',
      ),
    );
  }
  return out;
}

export function ledgerTargets(figures: EmbeddedFigure[]): Target[] {
  const find = (records: number, prefix: string): number | undefined =>
    figures.find((f) => f.records === records && f.what.startsWith(prefix))?.value;
  const out: Target[] = [];
  // Sizes from 3,000 records up find every purl looked up, so their lookups check the same
  // number of signatures; a smaller ledger finds fewer and would flatter the comparison.
  const sizes = [...new Set(figures.map((f) => f.records))].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1] ?? 0;
  const smallest = sizes.find((n) => n >= 3000 && n < largest) ?? sizes[0] ?? 0;
  for (const which of ['first', 'again']) {
    const prefix = `lookup of 3000 purls, ${which}`;
    const big = find(largest, prefix);
    const small = find(smallest, prefix);
    out.push(
      target(
        `embedded lookup of 3000 purls (${which}) independent of size: ` +
          `${largest.toLocaleString('en')} vs ${smallest.toLocaleString('en')} records`,
        big !== undefined && small !== undefined ? big / small : undefined,
        2,
        'x',
        'ratio of the two times; under 2x counts as independent',
      ),
    );
  }
  out.push(
    target(
      'embedded ledger of 1,000,000 records open + verify',
      find(1_000_000, 'open + verify against the witness'),
      2000,
      'ms',
      'with the witness kept by an earlier open',
    ),
  );
  return out;
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  const started = new Date();
  const env = environment();
  progress(
    `node ${process.version}, ${env.cores} cores, ${env.cpu}, ` +
      `load ${JSON.stringify(env.loadAverageAtStart)}`,
  );
  if (args.build && (args.stages.has('lsp') || args.stages.has('cli'))) {
    progress('building dist/ (npm run build)');
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], {
      cwd: REPO,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('the build failed; the LSP and CLI benchmarks need dist/');
  }
  progress('inputs: ../shared/bench and generated files in .cache/bench/');
  const real = realInputs();
  const generated = generatedInputs(args.quick);
  const inputs = [...real, ...generated].filter((i) => !args.match || i.label.includes(args.match));

  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const raw: Record<string, unknown> = {};
  const done: Stage[] = [];

  /** Written after every stage, so a run stopped half-way still leaves its figures. */
  const save = (): { durationS: number; environment: Record<string, unknown> } => {
    const finished = new Date();
    const result = {
      startedAt: started.toISOString(),
      durationS: Math.round((finished.getTime() - started.getTime()) / 1000),
      stagesDone: [...done],
      environment: { ...env, loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))) },
      inputs: inputs.map((i) => ({
        ...i,
        file: path.relative(REPO, i.file),
        bytes: fs.statSync(i.file).size,
      })),
      rows,
      targets,
      notes,
      raw,
    };
    fs.mkdirSync(path.dirname(args.out), { recursive: true });
    fs.writeFileSync(`${args.out}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
    fs.renameSync(`${args.out}.tmp`, args.out);
    return result;
  };

  if (args.stages.has('parse')) {
    const figures: ParseFigures[] = [];
    for (const input of inputs) {
      progress(`parse ${input.label}`);
      figures.push(await benchParse(input));
    }
    rows.push(...parseRows(figures));
    targets.push(...parseTargets(figures));
    done.push('parse');
    save();
  }

  if (args.stages.has('lsp')) {
    const figures: LspFigures[] = [];
    for (const input of inputs) {
      progress(`lsp ${input.label}`);
      const size = fs.statSync(input.file).size;
      const [opens, edits] = size > 8e6 ? [1, 2] : size > 1.5e6 ? [2, 4] : [3, 8];
      try {
        figures.push(await benchLsp(input, opens, edits));
      } catch (err) {
        notes.push(`lsp ${input.label}: ${String(err).slice(0, 300)}`);
      }
    }
    let memory: LspMemory[] = [];
    try {
      progress('lsp memory: every real file open');
      memory = [await benchLspMemory(real)];
      progress('lsp memory: every file open');
      memory.push(await benchLspMemory(inputs));
    } catch (err) {
      notes.push(`lsp memory: ${String(err).slice(0, 300)}`);
    }
    rows.push(...lspRows(figures));
    for (const m of memory) rows.push(...lspRows([], m));
    targets.push(...lspTargets(figures));
    done.push('lsp');
    save();
  }

  if (args.stages.has('ledger')) {
    const sizes = args.quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000];
    progress(`embedded ledger: bench/ledger.bench.ts ${sizes.join(' ')}`);
    const { figures, unread } = await benchEmbedded(sizes);
    raw.embeddedLedger = figures;
    rows.push(...embeddedRows(figures));
    targets.push(...ledgerTargets(figures));
    notes.push(...unread.map((l) => `ledger.bench.ts: ${l}`));
    done.push('ledger');
    save();
  }

  if (args.stages.has('immudb')) {
    progress('immudb ledger (a real server)');
    try {
      rows.push(...(await benchImmudb()));
    } catch (err) {
      notes.push(`immudb: ${String(err).slice(0, 300)}`);
    }
    done.push('immudb');
    save();
  }

  if (args.stages.has('cli')) {
    progress('cli');
    rows.push(benchNodeStart(10));
    let npm1MB: Row | undefined;
    for (const input of inputs) {
      const size = fs.statSync(input.file).size;
      const runs = size > 8e6 ? 1 : size > 1.5e6 ? 3 : 5;
      try {
        const row = benchCheck(input, runs);
        rows.push(row);
        if (input.origin === 'real' && input.format === 'package-lock') {
          targets.push(
            target(
              `CLI check ${input.label} (${(size / 1e6).toFixed(2)} MB), whole process`,
              row.stats!.median,
              300,
              'ms',
            ),
          );
          npm1MB ??= row;
        }
      } catch (err) {
        notes.push(`cli check ${input.label}: ${String(err).slice(0, 300)}`);
      }
    }
    const review = generated.find((g) => g.format === 'package-lock');
    if (review) {
      try {
        progress(`cli review --staged ${review.label}`);
        rows.push(benchReview(review, 3));
      } catch (err) {
        notes.push(`cli review: ${String(err).slice(0, 300)}`);
      }
    }
    done.push('cli');
  }

  const result = save();

  const out = [
    `deptrust benchmarks, ${started.toISOString()}, ${result.durationS} s`,
    `${env.cpu} x${env.cores}, node ${process.version}, load average ` +
      `${JSON.stringify(env.loadAverageAtStart)} -> ` +
      `${JSON.stringify(result.environment.loadAverageAtEnd)}`,
    'Times: wall-clock median [min .. max] n=runs, then median CPU time where timed in-process.',
    'Parse times start from the bytes of the file in memory. deptrust/this is deptrust\'s',
    'wall-clock median over the row\'s: above 1 deptrust takes longer, below 1 it is faster.',
    formatTable(rows),
    formatTargets(targets),
    ...(notes.length ? ['', '== notes ==', ...notes] : []),
    '',
    `figures written to ${path.relative(process.cwd(), args.out)}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
