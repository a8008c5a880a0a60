// Timing helpers shared by the benchmarks: repeated runs within a time budget, summarized as
// median, min and max. Nothing here asserts: benchmarks report, they never fail on time.

export interface Stats {
  /** Milliseconds. */
  median: number;
  min: number;
  max: number;
  runs: number;
  /**
   * CPU time of this process over the same runs, ms (user + system, all its threads). On a
   * machine shared with other jobs it moves much less than wall time, which includes waiting
   * for a core.
   */
  cpu?: { median: number; min: number; max: number };
}

export interface Budget {
  /** Runs at least this many times, however slow (default 3). */
  minRuns?: number;
  /** Runs at most this many times (default 15). */
  maxRuns?: number;
  /** Stops adding runs once the timed runs took this long, ms (default 3000). */
  budgetMs?: number;
  /** Untimed runs first, so the timing sees optimized code (default 1). */
  warmup?: number;
  /**
   * Goes on warming up until the untimed runs took this long too, ms (default 0). V8 optimizes
   * a function after enough calls and loop iterations, not after a number of runs: a parse of
   * a small file needs many runs to get there, as it does in a language server that has been
   * reading files for a while.
   */
  warmupMs?: number;
}

export function now(): number {
  return performance.now();
}

export function summarize(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

type Gc = (options?: { type: 'major' | 'minor'; execution: 'sync'; flavor?: 'regular' }) => void;

/**
 * A full garbage collection of the ordinary kind, when node runs with --expose-gc. A bare `gc()`
 * is V8's last-resort collection, which also throws away compiled code: every run after it would
 * start in the interpreter, which neither the editor nor the CLI ever does mid-parse.
 */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: Gc }).gc;
  gc?.({ type: 'major', execution: 'sync', flavor: 'regular' });
}

/**
 * Times functions repeatedly, several in alternation: each round runs every one of them once,
 * each after its own full garbage collection (see `collectGarbage`, so one run's garbage is not
 * billed to the next), and all of them see the machine in the same state. On a shared or
 * virtual machine whose speed drifts by a factor of two from one minute to the next, the ratio
 * of medians measured this way holds where separate measurements do not. The budget
 * counts the time of all of them together; each gets its own warm-up first.
 */
export async function measureTogether(
  fns: Array<() => unknown>,
  budget: Budget = {},
): Promise<Stats[]> {
  const { minRuns = 3, maxRuns = 15, budgetMs = 3000, warmup = 1, warmupMs = 0 } = budget;
  for (const fn of fns) {
    const warmStart = now();
    for (let i = 0; i < warmup || (now() - warmStart < warmupMs && i < 10_000); i++) await fn();
  }
  const samples: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  let spent = 0;
  let rounds = 0;
  while (rounds < maxRuns && (rounds < minRuns || spent < budgetMs)) {
    for (let k = 0; k < fns.length; k++) {
      collectGarbage();
      const c = process.cpuUsage();
      const t = now();
      await fns[k]();
      const ms = now() - t;
      const used = process.cpuUsage(c);
      samples[k].push(ms);
      cpu[k].push((used.user + used.system) / 1000);
      spent += ms;
    }
    rounds++;
  }
  return samples.map((s, k) => {
    const { median, min, max } = summarize(cpu[k]);
    return { ...summarize(s), cpu: { median, min, max } };
  });
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
