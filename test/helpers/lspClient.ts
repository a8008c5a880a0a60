import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'deptrust');

/** A temp home for deptrust state (ledger, witnesses, identities), removed by `cleanup`. */
export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-test-'));
}

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}

/**
 * The real language server as a child process (`deptrust lsp --stdio`), with a JSON-RPC
 * connection to it and a record of every diagnostics notification.
 */
export class LspSession {
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  readonly stderr: string[] = [];
  readonly log: string[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.wake();
    });
    this.connection.onNotification('deptrust/summary', (params: unknown) => {
      this.notifications.push({ method: 'deptrust/summary', params });
      this.wake();
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.log.push(params.message);
    });
    this.connection.onRequest('window/showMessageRequest', (p: { actions?: Array<{ title: string }> }) => this.answer(p));
    this.connection.onRequest('workspace/configuration', () => [this.settings]);
    this.connection.onRequest('client/registerCapability', () => null);
    child.stderr.on('data', (d) => this.stderr.push(String(d)));
    this.connection.listen();
  }

  /** Answer to the server's confirmation questions: the title of the action to pick. */
  answerWith: string | null = null;
  settings: unknown = {};

  private answer(p: { actions?: Array<{ title: string }> }) {
    return p.actions?.find((a) => a.title.startsWith(this.answerWith ?? '\0')) ?? null;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static async start(env: Record<string, string>, settings: unknown = {}, folders: string[] = []): Promise<LspSession> {
    const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { env: { ...process.env, ...env }, stdio: 'pipe' });
    const s = new LspSession(child);
    s.settings = settings;
    await s.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: folders.length ? folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })) : null,
      capabilities: { workspace: { configuration: true }, window: { showMessage: { messageActionItem: { additionalPropertiesSupport: false } } } },
    });
    await s.connection.sendNotification('initialized', {});
    return s;
  }

  /** Waits until `predicate` holds, re-checking after every notification; fails after `ms`. */
  async until<T>(what: string, predicate: () => T | undefined | false, ms = 10000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = predicate();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; server log: ${this.log.join('\n')} stderr: ${this.stderr.join('')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  open(file: string, text = fs.readFileSync(file, 'utf8'), languageId = 'plaintext'): string {
    const uri = fileUri(file);
    this.diagnostics.delete(uri);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Diagnostics for `uri` once the server has published them for at least `version`. */
  diagnosticsFor(uri: string, version = 1): Promise<Diagnostic[]> {
    return this.until(`diagnostics for ${uri}`, () => {
      const p = this.diagnostics.get(uri);
      return p && (p.version ?? 0) >= version ? p.diagnostics : undefined;
    });
  }

  async stop(): Promise<number | null> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(this.child.exitCode);
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve(null);
      }, 3000);
      this.child.on('exit', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }
}
