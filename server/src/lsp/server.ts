import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generateIdentity, identityFrom } from '../app/keys';
import { decodeLockfile } from '../app/lockfiles';
import { SessionError, subjectOf, TrustSession } from '../app/session';
import { dependencyAt } from '../app/targets';
import { normalizePurl } from '../core/purl';
import type { Dependency, Verdict } from '../core/types';
import type { LedgerState } from '../ledger/ledger';
import { detectFormat, reparseLockfile } from '../parsers';
import { summarize } from '../cli/text';
import type { Identity } from '../identity/identity';
import type { PolicyLoad } from '../trust/policy';
import { evaluate, type Evaluation } from '../trust/verdict';
import { headRanges, nextResult, textLines, type Analysis, type Lines } from './analysis';
import { codeActions, TRUST_ALL_KIND, type DecideCommandArgs } from './codeActions';
import { policyDiagnostics, toDiagnostics } from './diagnostics';
import { hoverFor } from './hover';
import { registerReview } from './review';
import {
  COMMAND_DECIDE,
  COMMAND_TRUST_ALL_UNKNOWN,
  CREATE_IDENTITY_REQUEST,
  DECIDE_REQUEST,
  IDENTITY_MISSING,
  SET_IDENTITY_NOTIFICATION,
  SET_IMMUDB_PASSWORD_NOTIFICATION,
  type ImmudbPasswordParams,
  type CreateIdentityParams,
  type IdentityParams,
  ENTRIES_REQUEST,
  HISTORY_REQUEST,
  REFRESH_REQUEST,
  SUMMARY_NOTIFICATION,
  type DecideParams,
  type DecideResult,
  type EntriesParams,
  type EntryInfo,
  type HistoryParams,
  type HistoryResult,
  type LedgerInfo,
  type SummaryParams,
  COMMAND_SHOW_NOT_TRUSTED,
  WORKSPACE_REQUEST,
  type WorkspaceLockfile,
} from './protocol';
import { DEFAULT_SETTINGS, ledgerOptionsOf, readSettings, type Settings } from './settings';
import { WorkspaceLockfiles } from './workspace';

function uriToPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : decodeURIComponent(uri.replace(/^[a-z-]+:\/*/i, '/'));
  } catch {
    return uri;
  }
}

/**
 * The language server: parses lockfiles as they are edited, asks the ledger about every entry
 * and publishes diagnostics, hovers and code actions. One instance serves one editor window.
 */
export class DeptrustServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly analyses = new Map<string, Analysis>();
  private readonly pending = new Set<string>();
  private flushing = false;
  private settings: Settings = DEFAULT_SETTINGS;
  private session: TrustSession | undefined;
  private sessionError = 'not opened yet';
  private ledgerSubscription: { dispose(): void } | undefined;
  private configurationPull = false;
  /** The identity the client handed over (VS Code secret storage); else the identity file. */
  private clientIdentity: Identity | undefined;
  /** The immudb password from the client's secret storage; else DEPTRUST_IMMUDB_PASSWORD. */
  private immudbPassword = process.env.DEPTRUST_IMMUDB_PASSWORD;
  /** Policy files with problems published on them, to clear once they are fixed. */
  private brokenPolicies = new Set<string>();
  private readonly workspace = new WorkspaceLockfiles();
  /** Lockfiles checked from disk because they are in the workspace, open or not. */
  private readonly diskFiles = new Set<string>();
  private progressSupport = false;
  private codeLensRefresh = false;
  private pendingLensRefresh: NodeJS.Timeout | undefined;
  /** Settles once the first ledger open has finished, well or not; analyses wait for it. */
  private markReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private readonly connection: Connection) {}

  start(): void {
    const c = this.connection;
    c.onInitialize((params) => {
      this.configurationPull = Boolean(params.capabilities.workspace?.configuration);
      this.progressSupport = Boolean(params.capabilities.window?.workDoneProgress);
      this.codeLensRefresh = Boolean(params.capabilities.workspace?.codeLens?.refreshSupport);
      const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? (params.rootUri ? [uriToPath(params.rootUri)] : []);
      this.workspace.setRoots(folders);
      const init = params.initializationOptions as { settings?: unknown; identity?: IdentityParams; immudbPassword?: string } | undefined;
      if (init?.immudbPassword) this.immudbPassword = init.immudbPassword;
      if (init?.settings) this.settings = readSettings(init.settings);
      if (init?.identity) this.clientIdentity = this.identityOf(init.identity);
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          hoverProvider: true,
          codeLensProvider: { resolveProvider: false },
          workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
          codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, TRUST_ALL_KIND] },
          executeCommandProvider: { commands: [COMMAND_DECIDE, COMMAND_TRUST_ALL_UNKNOWN] },
        },
        serverInfo: { name: 'deptrust' },
      };
    });
    c.onDidChangeConfiguration((change) => {
      const section = (change.settings as { deptrust?: unknown } | undefined)?.deptrust;
      void this.reconfigure(section);
    });

    this.documents.onDidOpen((e) => this.schedule(e.document.uri));
    this.documents.onDidChangeContent((e) => this.schedule(e.document.uri));
    this.documents.onDidClose((e) => {
      const uri = e.document.uri;
      this.analyses.delete(uri);
      this.pending.delete(uri);
      // A workspace lockfile stays checked, from its saved content; others are forgotten.
      if (this.diskFiles.has(uri)) this.schedule(uri);
      else void c.sendDiagnostics({ uri, diagnostics: [] });
    });
    c.onInitialized(() => {
      void this.reconfigure();
      try {
        c.workspace.onDidChangeWorkspaceFolders(async () => {
          const folders = (await c.workspace.getWorkspaceFolders()) ?? [];
          this.workspace.setRoots(folders.map((f) => uriToPath(f.uri)));
          await this.scanWorkspace();
        });
      } catch {
        // the client does not announce workspace folder changes
      }
    });

    c.onHover((params) => this.guard('hover', () => this.hover(params.textDocument.uri, params.position)));
    c.onCodeAction((params) => this.guard('codeAction', () => {
      const a = this.analyses.get(params.textDocument.uri);
      return a ? codeActions(a, params) : [];
    }));
    c.onExecuteCommand((params) => this.guard('executeCommand', async () => {
      const arg = params.arguments?.[0];
      if (params.command === COMMAND_DECIDE) return this.decideEntry(arg as DecideCommandArgs);
      if (params.command === COMMAND_TRUST_ALL_UNKNOWN) return this.trustAllUnknown((arg as { uri: string }).uri);
      return undefined;
    }));
    c.onRequest(DECIDE_REQUEST, (p: DecideParams) => this.guard('decide', () => this.decide(p)));
    c.onRequest(ENTRIES_REQUEST, (p: EntriesParams) => this.guard('entries', () => this.entries(p)));
    c.onRequest(HISTORY_REQUEST, (p: HistoryParams) => this.guard('history', () => this.history(p)));
    c.onRequest(REFRESH_REQUEST, () => this.guard('refresh', () => this.reconfigure()));
    c.onNotification(SET_IDENTITY_NOTIFICATION, (p: IdentityParams) => {
      this.clientIdentity = this.identityOf(p);
      this.session?.setIdentity(this.clientIdentity);
      void this.reevaluateAll();
    });
    c.onNotification(SET_IMMUDB_PASSWORD_NOTIFICATION, (p: ImmudbPasswordParams) => {
      this.immudbPassword = p.password;
      if (this.settings.ledger.kind === 'immudb') void this.reconfigure();
    });
    c.onRequest(CREATE_IDENTITY_REQUEST, (p: CreateIdentityParams) => this.guard('createIdentity', () => {
      const identity = generateIdentity(p.name);
      const result: IdentityParams = { name: identity.name, publicKey: identity.publicKey, secretKey: Buffer.from(identity.secretKey).toString('base64') };
      return result;
    }));
    // Policy files and lockfiles changed on disk (git checkout, npm install, another editor).
    c.onDidChangeWatchedFiles((params) => this.guard('watchedFiles', () => this.filesChanged(params.changes)));
    c.onCodeLens((params) => this.guard('codeLens', () => this.codeLenses(params.textDocument.uri)));
    c.onRequest(WORKSPACE_REQUEST, () => this.guard('workspace', () => this.workspaceLockfiles()));

    registerReview(c, () => this.session);
    this.documents.listen(c);
    c.listen();
  }

  // ---- settings and the ledger ----

  private async reconfigure(pushed?: unknown): Promise<void> {
    let raw = pushed;
    if (raw === undefined && this.configurationPull) {
      try {
        raw = await this.connection.workspace.getConfiguration('deptrust');
      } catch (err) {
        this.connection.console.warn(`cannot read settings: ${String(err)}`);
      }
    }
    if (raw !== undefined) this.settings = readSettings(raw);
    this.workspace.setExcludes(this.settings.exclude);
    try {
      await this.openLedger();
    } finally {
      this.markReady();
    }
    await this.reevaluateAll();
    await this.scanWorkspace();
  }

  private async openLedger(): Promise<void> {
    this.ledgerSubscription?.dispose();
    const old = this.session;
    this.session = undefined;
    await old?.close().catch(() => undefined);
    const options = ledgerOptionsOf(this.settings, this.immudbPassword);
    try {
      const session = await TrustSession.open(options, { identity: this.clientIdentity });
      this.session = session;
      this.ledgerSubscription = session.ledger.onDidChange(() => void this.reevaluateAll());
      const state = session.ledger.state();
      this.connection.console.info(`ledger: ${session.ledger.kind} ${session.ledger.location}: ${state.health}, ${state.message}`);
    } catch (err) {
      this.sessionError = err instanceof Error ? err.message : String(err);
      this.connection.console.error(`ledger cannot be opened: ${this.sessionError}`);
    }
  }

  private ledgerState(): LedgerState {
    if (this.session) return this.session.ledger.state();
    return { health: 'unavailable', message: this.sessionError, size: 0, root: '', verifiedAt: 0 };
  }

  private ledgerInfo(): LedgerInfo {
    const state = this.ledgerState();
    return {
      kind: this.session?.ledger.kind ?? this.settings.ledger.kind,
      location: this.session?.ledger.location ?? '',
      health: state.health,
      message: state.message,
      size: state.size,
      verifiedAt: state.verifiedAt,
    };
  }

  private identityOf(p: IdentityParams): Identity | undefined {
    try {
      return identityFrom(p.name, p.secretKey);
    } catch (err) {
      this.connection.console.error(`the identity from the client is unusable: ${String(err)}`);
      return undefined;
    }
  }

  private policyFor(filePath: string): PolicyLoad | undefined {
    return this.session?.policyFor(filePath);
  }

  private async evaluateAll(deps: readonly Dependency[], policy?: PolicyLoad): Promise<Evaluation[]> {
    await this.ready;
    if (this.session) {
      try {
        return await this.session.evaluate(deps, policy?.policy);
      } catch (err) {
        this.connection.console.error(`ledger lookup failed: ${String(err)}`);
        const state: LedgerState = { health: 'unavailable', message: `lookup failed: ${String(err)}`, size: 0, root: '', verifiedAt: 0 };
        return deps.map((d) => evaluate(d, undefined, state));
      }
    }
    const state = this.ledgerState();
    return deps.map((d) => evaluate(d, undefined, state));
  }

  // ---- analysis ----

  private schedule(uri: string): void {
    this.pending.add(uri);
    if (this.flushing) return;
    this.flushing = true;
    void this.flush();
  }

  /**
   * Analyses what is pending, one file at a time, each at its latest version. The JSON-RPC reader
   * hands over one queued message per event-loop turn, and applying an edit to a large document
   * costs about a millisecond, so a burst of edits is let in whole (`settle`) before parsing:
   * a thousand edits cost a handful of parses, not a thousand.
   */
  private async flush(): Promise<void> {
    try {
      while (this.pending.size) {
        const [uri] = this.pending;
        await this.settle(uri);
        this.pending.delete(uri);
        // A file that fails is logged (guard) and must not stop the others.
        await this.guard('analyze', () => this.analyze(uri)).catch(() => undefined);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Yields turns of the event loop until a document's version stops moving. */
  private async settle(uri: string): Promise<void> {
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    for (;;) {
      const before = this.documents.get(uri)?.version;
      await turn();
      await turn();
      if (this.documents.get(uri)?.version === before) return;
    }
  }

  private readRelated = (absolutePath: string): string | undefined => {
    for (const doc of this.documents.all()) {
      if (uriToPath(doc.uri) === absolutePath) return doc.getText();
    }
    try {
      return decodeLockfile(fs.readFileSync(absolutePath), 'pom');
    } catch {
      return undefined;
    }
  };

  /** The text to check: the open document's, else the saved file's for workspace lockfiles. */
  private source(uri: string): { text: string; version: number } | undefined {
    const doc = this.documents.get(uri);
    if (doc) return { text: doc.getText(), version: doc.version };
    if (!this.diskFiles.has(uri)) return undefined;
    try {
      // Read from disk: also how lockfiles larger than an editor hands over get checked.
      const bytes = fs.readFileSync(uriToPath(uri));
      return { text: decodeLockfile(bytes, detectFormat(uriToPath(uri), bytes.subarray(0, 65536).toString('latin1'))), version: -1 };
    } catch {
      this.forget(uri);
      return undefined;
    }
  }

  /**
   * The lines of a text to check: the open document's own line table when the text is its
   * current version (kept up to date edit by edit, so typing costs no new table), else a
   * LineIndex over the text.
   */
  private linesOf(uri: string, source: { text: string; version: number }): () => Lines {
    const doc = this.documents.get(uri);
    if (!doc || doc.version !== source.version) return textLines(source.text);
    return () => ({
      lineCount: doc.lineCount,
      lineText: (line) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }),
    });
  }

  private forget(uri: string): void {
    this.diskFiles.delete(uri);
    this.analyses.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private async analyze(uri: string): Promise<void> {
    const source = this.source(uri);
    if (!source) return;
    const filePath = uriToPath(uri);
    const { text } = source;
    // A client may open a document without text (a broken didOpen): nothing to check.
    if (typeof text !== 'string') return;
    const format = detectFormat(filePath, text);
    if (!format) return;
    const previous = this.analyses.get(uri);
    const before = previous?.parsedText !== undefined && previous.format === format
      ? { text: previous.parsedText, result: previous.result } : undefined;
    const parsed = reparseLockfile(format, before, text, { path: filePath, readFile: this.readRelated });
    const { result, brokenBy } = nextResult(previous, parsed);
    const heads = brokenBy && previous
      ? previous.heads
      : headRanges(result.dependencies, this.linesOf(uri, source), previous && { dependencies: previous.result.dependencies, heads: previous.heads });
    await this.ready;
    const policy = this.policyFor(filePath);
    const evaluations = await this.evaluateAll(result.dependencies, policy);
    const now = this.documents.get(uri);
    if ((now ? now.version : -1) !== source.version) return;
    const parsedText = brokenBy ? undefined : text;
    const analysis: Analysis = { uri, version: source.version, format, result, brokenBy, parsedText, evaluations, heads, policy };
    this.analyses.set(uri, analysis);
    this.publish(analysis);
  }

  private async reevaluateAll(): Promise<void> {
    for (const analysis of [...this.analyses.values()]) {
      const policy = this.policyFor(uriToPath(analysis.uri));
      const evaluations = await this.evaluateAll(analysis.result.dependencies, policy);
      const current = this.analyses.get(analysis.uri);
      if (current !== analysis) continue;
      current.evaluations = evaluations;
      current.policy = policy;
      this.publish(current);
    }
    this.publishPolicyProblems();
    for (const doc of this.documents.all()) if (!this.analyses.has(doc.uri)) this.schedule(doc.uri);
    for (const uri of this.diskFiles) if (!this.analyses.has(uri)) this.schedule(uri);
  }

  /** Problems of broken policy files, published on the policy files themselves. */
  private publishPolicyProblems(): void {
    const now = new Map<string, PolicyLoad>();
    for (const a of this.analyses.values()) if (a.policy && !a.policy.ok) now.set(a.policy.file, a.policy);
    for (const [file, load] of now) {
      void this.connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics: policyDiagnostics(load) });
    }
    for (const file of this.brokenPolicies) {
      if (!now.has(file)) void this.connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics: [] });
    }
    this.brokenPolicies = new Set(now.keys());
  }

  /** Checks every workspace lockfile nobody has open, with a progress report for long scans. */
  private async scanWorkspace(): Promise<void> {
    const wanted = new Set<string>();
    if (this.settings.check === 'workspace') for (const f of this.workspace.scan()) wanted.add(pathToFileURL(f).toString());
    for (const uri of [...this.diskFiles]) {
      if (wanted.has(uri)) continue;
      this.diskFiles.delete(uri);
      if (!this.documents.get(uri)) this.forget(uri);
    }
    const fresh = [...wanted].filter((u) => !this.diskFiles.has(u));
    for (const u of fresh) this.diskFiles.add(u);
    const todo = fresh.filter((u) => !this.documents.get(u));
    if (todo.length === 0) return;
    this.connection.console.info(`checking ${todo.length} workspace lockfile(s)`);
    const progress = this.progressSupport && todo.length > 1 ? await this.connection.window.createWorkDoneProgress() : undefined;
    progress?.begin('deptrust', 0, `checking ${todo.length} lockfiles`, false);
    let done = 0;
    for (const uri of todo) {
      await this.guard('analyze', () => this.analyze(uri)).catch(() => undefined);
      done++;
      progress?.report(Math.round((done / todo.length) * 100), `${done}/${todo.length} ${path.basename(uriToPath(uri))}`);
    }
    progress?.done();
  }

  private async filesChanged(changes: Array<{ uri: string; type: number }>): Promise<void> {
    let policyChanged = false;
    for (const change of changes) {
      const filePath = uriToPath(change.uri);
      if (filePath.endsWith(path.join('.deptrust', 'policy.json'))) {
        policyChanged = true;
        continue;
      }
      const deleted = change.type === 3;
      if (deleted) {
        if (!this.documents.get(change.uri)) this.forget(change.uri);
        else this.diskFiles.delete(change.uri);
        continue;
      }
      if (this.settings.check === 'workspace' && this.workspace.includes(filePath)) this.diskFiles.add(change.uri);
      if (this.diskFiles.has(change.uri) && !this.documents.get(change.uri)) this.schedule(change.uri);
    }
    if (policyChanged) await this.reevaluateAll();
  }

  private codeLenses(uri: string) {
    const a = this.analyses.get(uri);
    if (!a || a.result.dependencies.length === 0) return [];
    const counts: Partial<Record<Verdict, number>> = {};
    for (const e of a.evaluations) counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return [{ range, command: { title: `deptrust: ${summarize(counts)}`, command: COMMAND_SHOW_NOT_TRUSTED, arguments: [uri] } }];
  }

  private workspaceLockfiles(): WorkspaceLockfile[] {
    return [...this.analyses.values()]
      .sort((a, b) => (a.uri < b.uri ? -1 : 1))
      .map((a) => ({ uri: a.uri, ecosystem: a.result.ecosystem, text: this.summaryText(a), entries: this.entries({ uri: a.uri }) }));
  }

  private summaryText(a: Analysis): string {
    const counts: Partial<Record<Verdict, number>> = {};
    for (const e of a.evaluations) counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
    return summarize(counts);
  }

  private publish(analysis: Analysis): void {
    if (analysis.policy && !analysis.policy.ok && !this.brokenPolicies.has(analysis.policy.file)) this.publishPolicyProblems();
    const version = analysis.version >= 0 ? analysis.version : undefined;
    void this.connection.sendDiagnostics({ uri: analysis.uri, version, diagnostics: toDiagnostics(analysis, this.settings) });
    if (this.codeLensRefresh) {
      clearTimeout(this.pendingLensRefresh);
      this.pendingLensRefresh = setTimeout(() => void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined), 100);
    }
    const counts: Partial<Record<Verdict, number>> = {};
    for (const e of analysis.evaluations) counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
    const summary: SummaryParams = { uri: analysis.uri, counts, text: summarize(counts), ledger: this.ledgerInfo() };
    if (analysis.brokenBy?.length) summary.parseError = analysis.brokenBy[0].message;
    void this.connection.sendNotification(SUMMARY_NOTIFICATION, summary);
  }

  // ---- features ----

  private entryAt(uri: string, position: { line: number; character: number }) {
    const analysis = this.analyses.get(uri);
    if (!analysis) return undefined;
    const dep = dependencyAt(analysis.result.dependencies, position);
    if (!dep) return undefined;
    const index = analysis.result.dependencies.indexOf(dep);
    return { analysis, dep, index, evaluation: analysis.evaluations[index] };
  }

  private hover(uri: string, position: { line: number; character: number }) {
    const hit = this.entryAt(uri, position);
    if (!hit || !hit.evaluation) return null;
    const info = this.ledgerInfo();
    return hoverFor(hit.dep, hit.evaluation, info.kind, info.location, this.ledgerState());
  }

  private requireSession(): TrustSession {
    if (!this.session) throw new ResponseError(1, `the ledger is not available: ${this.sessionError}`);
    return this.session;
  }

  private async record(dep: Dependency, status: DecideParams['status'], reason?: string): Promise<DecideResult> {
    const subject = subjectOf(dep);
    if (!subject) throw new ResponseError(2, `${dep.name} is not a registry artifact${dep.hint ? `: ${dep.hint}` : ''}`);
    const session = this.requireSession();
    const appended = await this.signAndAppend(session, { subject, status, reason });
    this.connection.console.info(`recorded ${status} for ${subject.purl} as record ${appended.index}`);
    return { purl: subject.purl, index: appended.index, actor: session.actor };
  }

  /** Appends a signed decision; a missing identity comes back with a code the client acts on. */
  private async signAndAppend(session: TrustSession, decision: Parameters<TrustSession['decide']>[0]) {
    try {
      return await session.decide(decision);
    } catch (err) {
      if (err instanceof SessionError) throw new ResponseError(4, err.message, { code: err.code === 'IDENTITY_MISSING' ? IDENTITY_MISSING : err.code });
      throw err;
    }
  }

  private async decideEntry(args: DecideCommandArgs): Promise<DecideResult | undefined> {
    const analysis = this.analyses.get(args.uri);
    const dep = analysis?.result.dependencies[args.index];
    if (!analysis || !dep) throw new ResponseError(3, 'the lockfile changed; try again');
    const result = await this.record(dep, args.status);
    await this.reevaluateAll();
    return result;
  }

  private async decide(p: DecideParams): Promise<DecideResult> {
    let result: DecideResult;
    if (p.purl) {
      const session = this.requireSession();
      const purl = normalizePurl(p.purl);
      const appended = await this.signAndAppend(session, { subject: { purl }, status: p.status, reason: p.reason });
      result = { purl, index: appended.index, actor: session.actor };
    } else {
      const hit = p.uri && p.position ? this.entryAt(p.uri, p.position) : undefined;
      if (!hit) throw new ResponseError(3, 'no dependency entry at the cursor');
      result = await this.record(hit.dep, p.status, p.reason);
    }
    await this.reevaluateAll();
    return result;
  }

  private async trustAllUnknown(uri: string): Promise<number> {
    const analysis = this.analyses.get(uri);
    if (!analysis) return 0;
    const unknown = analysis.result.dependencies.filter((d, i) => d.purl && analysis.evaluations[i]?.verdict === 'unknown');
    if (unknown.length === 0) return 0;
    const confirm = `Trust ${unknown.length}`;
    const answer = await this.connection.window.showWarningMessage(
      `Trust all ${unknown.length} unknown dependencies in ${path.basename(uriToPath(uri))}? Each gets a record in the ledger under your name.`,
      { title: confirm },
      { title: 'Cancel' },
    );
    if (answer?.title !== confirm) return 0;
    for (const dep of unknown) await this.record(dep, 'trusted', 'trusted in bulk from the editor');
    await this.reevaluateAll();
    return unknown.length;
  }

  private entries(p: EntriesParams): EntryInfo[] {
    const analysis = this.analyses.get(p.uri);
    if (!analysis) return [];
    return analysis.result.dependencies.map((d, i) => ({
      name: d.name,
      version: d.version,
      purl: d.purl,
      verdict: analysis.evaluations[i]?.verdict ?? 'unknown',
      summary: analysis.evaluations[i]?.summary ?? '',
      range: d.range,
    }));
  }

  private async history(p: HistoryParams): Promise<HistoryResult> {
    const session = this.requireSession();
    if (p.purl) {
      const purl = normalizePurl(p.purl);
      return { purl, records: await session.history(purl), ledger: this.ledgerInfo() };
    }
    const hit = p.uri && p.position ? this.entryAt(p.uri, p.position) : undefined;
    if (!hit || !hit.dep.purl) throw new ResponseError(3, 'no registry dependency at the cursor');
    return {
      purl: hit.dep.purl,
      verdict: hit.evaluation?.verdict,
      summary: hit.evaluation?.summary,
      records: await session.history(hit.dep.purl),
      ledger: this.ledgerInfo(),
    };
  }

  /** Runs a handler so that a failure is logged and answered, never fatal to the server. */
  private async guard<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.connection.console.error(`${what} failed: ${message}${err instanceof Error && err.stack ? `\n${err.stack}` : ''}`);
      throw new ResponseError(-32603, `deptrust: ${what} failed: ${message}`);
    }
  }
}

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  process.on('uncaughtException', (err) => connection.console.error(`uncaught: ${err.stack ?? String(err)}`));
  process.on('unhandledRejection', (err) => connection.console.error(`unhandled rejection: ${String(err)}`));
  new DeptrustServer(connection).start();
}
