// Process helpers for the reliability tests: the real CLI as a child process, with its peak
// memory and the bytes it read sampled from /proc while it runs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI } from '../helpers/lspClient';

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `deptrust-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Environment for a CLI run whose state (ledger, witness, identity) lives under `home`. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DEPTRUST_HOME: home,
    DEPTRUST_LEDGER: path.join(home, 'ledger'),
    DEPTRUST_IDENTITY: path.join(home, 'identity.json'),
    NO_COLOR: '1',
    ...extra,
  };
}

export interface Measured {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Highest VmHWM seen in /proc/<pid>/status, in bytes. */
  peakRss: number;
  /** Highest `rchar` seen in /proc/<pid>/io: bytes the process got from read calls. */
  bytesRead: number;
  wallMs: number;
}

/** One /proc field in bytes (status lines are in kB, io lines in bytes); 0 when unreadable. */
export function procField(pid: number, file: 'status' | 'io', field: string): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text);
    if (!m) return 0;
    return Number(m[1]) * (file === 'status' ? 1024 : 1);
  } catch {
    return 0;
  }
}

/**
 * Runs `deptrust ARGS` and samples its memory high-water mark and read bytes every 50 ms.
 * VmHWM and rchar only grow, so the last sample before exit is at most 50 ms stale.
 * Output is kept to its last `keep` characters so that a million-line report costs nothing.
 */
export function runMeasured(
  args: string[],
  env: NodeJS.ProcessEnv,
  keep = 1 << 20,
  onStdout?: (chunk: string) => void,
): Promise<Measured> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peakRss = 0;
  let bytesRead = 0;
  const sample = () => {
    peakRss = Math.max(peakRss, procField(child.pid!, 'status', 'VmHWM'));
    bytesRead = Math.max(bytesRead, procField(child.pid!, 'io', 'rchar'));
  };
  const timer = setInterval(sample, 50);
  child.stdout.on('data', (d: Buffer) => {
    onStdout?.(d.toString());
    stdout = (stdout + d.toString()).slice(-keep);
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-keep)));
  return new Promise((resolve) => {
    child.on('exit', (status, signal) => {
      clearInterval(timer);
      resolve({ status, signal, stdout, stderr, peakRss, bytesRead, wallMs: Date.now() - started });
    });
  });
}

/** Appends one figure to the file named by DEPTRUST_RELIABILITY_OUT, for docs/RELIABILITY.md. */
export function recordFigure(kind: string, figures: Record<string, unknown>): void {
  process.stderr.write(`figure ${kind}: ${JSON.stringify(figures)}\n`);
  const out = process.env.DEPTRUST_RELIABILITY_OUT;
  if (out) fs.appendFileSync(out, JSON.stringify({ kind, ...figures }) + '\n');
}

export const MiB = 1024 * 1024;
