// The shape of a benchmark run's figures, the targets they are held to, and the table printed
// at the end. A missed target is reported with its margin; nothing exits non-zero for it.
import { fmtMs, type Stats } from './measure';

export interface Row {
  /** Section of the table: `parse`, `lsp`, `ledger`, `immudb`, `cli`. */
  group: string;
  /** What was timed, e.g. `deptrust parse` or `arborist loadVirtual`. */
  what: string;
  /** The input, e.g. `npm biglock (v3)` or `1,000,000 records`. */
  input: string;
  stats?: Stats;
  /** A single figure that is not a time (a rate, a size). */
  value?: number;
  unit: 'ms' | 'per s' | 'MB' | 'entries';
  /** deptrust's median divided by this row's median, for comparison rows. */
  ratio?: number;
  note?: string;
}

export interface Target {
  name: string;
  /** The figure held to the limit, in `unit`. */
  actual: number | undefined;
  limit: number;
  unit: 'ms' | 'x';
  /** `below`: actual must be under the limit. */
  pass: boolean | undefined;
  note?: string;
}

export function target(
  name: string,
  actual: number | undefined,
  limit: number,
  unit: Target['unit'],
  note?: string,
): Target {
  return {
    name,
    actual,
    limit,
    unit,
    pass: actual === undefined ? undefined : actual < limit,
    note,
  };
}

function cell(row: Row): string {
  if (row.stats) {
    const s = row.stats;
    const cpu = s.cpu ? `  cpu ${fmtMs(s.cpu.median)}` : '';
    return `${fmtMs(s.median)}  [${fmtMs(s.min)} .. ${fmtMs(s.max)}]  n=${s.runs}${cpu}`;
  }
  if (row.value === undefined) return 'n/a';
  const v = row.value >= 100 ? row.value.toFixed(0) : row.value.toFixed(1);
  return `${v} ${row.unit}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * The table: median [min .. max] n=runs (wall time), the median CPU time where measured in this
 * process, then the ratio deptrust/this row where it applies (of the wall-time medians).
 */
export function formatTable(rows: Row[]): string {
  const lines: string[] = [];
  let group = '';
  const w1 = Math.max(...rows.map((r) => r.input.length), 10) + 2;
  const w2 = Math.max(...rows.map((r) => r.what.length), 10) + 2;
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      lines.push('', `== ${group} ==`);
    }
    const ratio = row.ratio === undefined ? '' : `  deptrust/this ${fmtRatio(row.ratio)}`;
    const note = row.note ? `  (${row.note})` : '';
    lines.push(`${pad(row.input, w1)}${pad(row.what, w2)}${cell(row)}${ratio}${note}`);
  }
  return lines.join('\n');
}

/** A ratio with two significant digits below 0.1 (0.004x, not 0.00x). */
function fmtRatio(x: number): string {
  return `${x >= 0.1 || x === 0 ? x.toFixed(2) : x.toPrecision(2)}x`;
}

/**
 * One line per target. The margin of a time is the milliseconds to spare or missed by; the
 * margin of a ratio is a factor: how many times under the limit it is, or over it.
 */
export function formatTargets(targets: Target[]): string {
  const lines = ['', '== targets =='];
  for (const t of targets) {
    const fmt = (x: number): string => (t.unit === 'ms' ? fmtMs(x) : fmtRatio(x));
    if (t.actual === undefined) {
      lines.push(`NOT MEASURED  ${t.name} (limit ${fmt(t.limit)})${t.note ? `: ${t.note}` : ''}`);
      continue;
    }
    let margin: string;
    if (t.unit === 'ms') {
      margin = t.pass ? `${fmt(t.limit - t.actual)} to spare` : `missed by ${fmt(t.actual - t.limit)}`;
    } else {
      const factor = t.pass ? t.limit / t.actual : t.actual / t.limit;
      const times = factor >= 100 ? factor.toFixed(0) : factor.toFixed(1);
      margin = t.pass ? `${times} times under the limit` : `${times} times over the limit`;
    }
    lines.push(
      `${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${fmt(t.actual)} vs limit ${fmt(t.limit)}, ` +
        `${margin}${t.note ? `; ${t.note}` : ''}`,
    );
  }
  return lines.join('\n');
}
