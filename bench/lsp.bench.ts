// The language server as the editor sees it: the built server (`deptrust lsp --stdio`) as a
// child process, spoken to over stdio with JSON-RPC. Timed from sending `didOpen` to the first
// `publishDiagnostics` for the file, and from a one-line `didChange` (a version digit of one
// entry in the middle of the file) to the diagnostics of that document version. The ledger is
// a fresh, empty embedded ledger, so every entry gets a diagnostic: the most the server sends.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspSession } from '../test/helpers/lspClient';
import type { LockfileFormat } from '../server/src/core/types';
import type { BenchInput } from './inputs';
import { now, summarize, type Stats } from './measure';
import type { Row } from './report';

export interface LspFigures {
  input: BenchInput;
  bytes: number;
  diagnostics: number;
  /** First open in a fresh server: the parser's code has not been run on this format yet. */
  open: Stats;
  /** The same file closed and opened again in the server that has parsed it before. */
  reopen: Stats;
  edit: Stats;
}

export interface LspMemory {
  files: number;
  bytes: number;
  /** Peak resident set of the server process, MB (VmHWM). */
  peakRssMb: number;
  rssMb: number;
}

/** Where a one-character edit changes a version: the line and column of one digit. */
const VERSION_DIGIT: Record<LockfileFormat, RegExp> = {
  'package-lock': /^\s*"version": "\d+\.\d+\.(\d)/,
  'go-sum': /^\S+ v\d+\.\d+\.(\d)/,
  'gemfile-lock': /^ {4}\S+ \(\d+\.\d+\.(\d)/,
  // A literal <version>, else a version property (<netty.version>4.1.2</netty.version>).
  pom: /<[\w.-]*version>\d+\.\d+\.(\d)/,
};

export function editPoint(
  format: LockfileFormat,
  text: string,
): { line: number; character: number; digit: string } {
  const lines = text.split('\n');
  const re = VERSION_DIGIT[format];
  for (
    let i = lines.length >> 1, seen = 0;
    seen < lines.length;
    i = (i + 1) % lines.length, seen++
  ) {
    const m = re.exec(lines[i]);
    if (m) return { line: i, character: m[0].length - 1, digit: m[1] };
  }
  throw new Error(`no version digit to edit in ${format} text`);
}

function sessionEnv(): { env: Record<string, string>; home: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-bench-lsp-'));
  return {
    home,
    env: {
      DEPTRUST_HOME: home,
      DEPTRUST_LEDGER: path.join(home, 'ledger'),
      DEPTRUST_IDENTITY: path.join(home, 'identity.json'),
    },
  };
}

/** A small go.sum opened first, so the timed open does not include opening the ledger. */
const PRIMER = 'golang.org/x/text v0.3.0 h1:g61tztE5qeGQ89tm6NTjjM9VPIm088od1l6aSorWRWg=\n';

async function primed(timeoutMs: number): Promise<{ lsp: LspSession; home: string }> {
  const { env, home } = sessionEnv();
  const lsp = await LspSession.start(env);
  const primer = path.join(home, 'primer', 'go.sum');
  fs.mkdirSync(path.dirname(primer), { recursive: true });
  fs.writeFileSync(primer, PRIMER);
  const uri = lsp.open(primer, PRIMER);
  await lsp.until('primer diagnostics', () => lsp.diagnostics.get(uri), timeoutMs);
  return { lsp, home };
}

async function stop(lsp: LspSession, home: string): Promise<void> {
  await lsp.stop();
  fs.rmSync(home, { recursive: true, force: true });
}

/**
 * `opens` fresh servers each open the file once (a first open in a running editor: the server
 * is started and its ledger open, but the parser has not seen this format's text yet), then
 * `edits` edits follow in the last server.
 */
export async function benchLsp(
  input: BenchInput,
  opens: number,
  edits: number,
): Promise<LspFigures> {
  const text = fs.readFileSync(input.file, 'utf8');
  const timeoutMs = 120_000;
  const openSamples: number[] = [];
  const editSamples: number[] = [];
  const reopenSamples: number[] = [];
  let diagnostics = 0;
  for (let run = 0; run < opens; run++) {
    const { lsp, home } = await primed(timeoutMs);
    try {
      const t = now();
      const uri = lsp.open(input.file, text);
      const first = await lsp.until(
        `diagnostics for ${input.label}`,
        () => {
          const p = lsp.diagnostics.get(uri);
          return p && (p.version ?? 0) >= 1 ? p.diagnostics : undefined;
        },
        timeoutMs,
      );
      openSamples.push(now() - t);
      diagnostics = first.length;
      if (run < opens - 1) continue;

      const at = editPoint(input.format, text);
      const other = String((Number(at.digit) + 1) % 10);
      for (let k = 0; k < edits; k++) {
        const version = 2 + k;
        const replacement = k % 2 === 0 ? other : at.digit;
        const range = { start: at, end: { line: at.line, character: at.character + 1 } };
        const t2 = now();
        void lsp.connection.sendNotification('textDocument/didChange', {
          textDocument: { uri, version },
          contentChanges: [
            {
              range: {
                start: { line: range.start.line, character: range.start.character },
                end: range.end,
              },
              text: replacement,
            },
          ],
        });
        await lsp.until(
          `diagnostics for edit ${version}`,
          () => {
            const p = lsp.diagnostics.get(uri);
            return p && (p.version ?? 0) >= version ? p : undefined;
          },
          timeoutMs,
        );
        editSamples.push(now() - t2);
      }

      for (let k = 0; k < Math.max(1, Math.min(edits, 3)); k++) {
        void lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
        const t3 = now();
        lsp.open(input.file, text);
        await lsp.until(
          `diagnostics for the reopened ${input.label}`,
          () => {
            const p = lsp.diagnostics.get(uri);
            return p && (p.version ?? 0) >= 1 ? p : undefined;
          },
          timeoutMs,
        );
        reopenSamples.push(now() - t3);
      }
    } finally {
      await stop(lsp, home);
    }
  }
  return {
    input,
    bytes: Buffer.byteLength(text),
    diagnostics,
    open: summarize(openSamples),
    reopen: summarize(reopenSamples),
    edit: summarize(editSamples),
  };
}

function status(pid: number): { hwm: number; rss: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
}

/** Opens every input in one server and reads its peak resident memory. */
export async function benchLspMemory(inputs: BenchInput[]): Promise<LspMemory> {
  const { lsp, home } = await primed(120_000);
  try {
    let bytes = 0;
    for (const input of inputs) {
      const text = fs.readFileSync(input.file, 'utf8');
      bytes += Buffer.byteLength(text);
      const uri = lsp.open(input.file, text);
      await lsp.until(`diagnostics for ${input.label}`, () => lsp.diagnostics.get(uri), 300_000);
    }
    const { hwm, rss } = status(lsp.child.pid!);
    return { files: inputs.length, bytes, peakRssMb: hwm, rssMb: rss };
  } finally {
    await stop(lsp, home);
  }
}

export function lspRows(figures: LspFigures[], memory?: LspMemory): Row[] {
  const rows: Row[] = [];
  for (const f of figures) {
    const input = `${f.input.label} ${(f.bytes / 1e6).toFixed(2)} MB`;
    const note = `${f.diagnostics} diagnostics`;
    rows.push({
      group: 'lsp',
      what: 'didOpen -> diagnostics (fresh server)',
      input,
      stats: f.open,
      unit: 'ms',
      note,
    });
    rows.push({
      group: 'lsp',
      what: 'didClose, didOpen again -> diagnostics',
      input,
      stats: f.reopen,
      unit: 'ms',
    });
    rows.push({
      group: 'lsp',
      what: 'one-line didChange -> diagnostics',
      input,
      stats: f.edit,
      unit: 'ms',
    });
  }
  if (memory) {
    rows.push({
      group: 'lsp',
      what: 'peak RSS (VmHWM)',
      input: `${memory.files} files open, ${(memory.bytes / 1e6).toFixed(1)} MB`,
      value: memory.peakRssMb,
      unit: 'MB',
      note: `RSS at the end ${memory.rssMb.toFixed(0)} MB`,
    });
  }
  return rows;
}
