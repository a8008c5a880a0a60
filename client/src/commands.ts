import * as vscode from 'vscode';
import { ResponseError, type LanguageClient } from 'vscode-languageclient/node';
import type { TrustStatus } from '../../server/src/core/types';
import {
  DECIDE_REQUEST,
  ENTRIES_REQUEST,
  HISTORY_REQUEST,
  IDENTITY_MISSING,
  REFRESH_REQUEST,
  SET_IMMUDB_PASSWORD_NOTIFICATION,
  type DecideParams,
  type DecideResult,
  type EntryInfo,
  type HistoryParams,
  type HistoryResult,
} from '../../server/src/lsp/protocol';
import type { IdentityStore } from './identity';
import { TrustView } from './trustView';

interface Target {
  uri?: string;
  position?: { line: number; character: number };
  purl?: string;
  label: string;
}

/**
 * What a palette command acts on: the entry under the cursor, else one picked from the active
 * lockfile, else a purl the user types.
 */
async function pickTarget(client: LanguageClient, prompt: string): Promise<Target | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const uri = editor.document.uri.toString();
    const entries = await client.sendRequest<EntryInfo[]>(ENTRIES_REQUEST, { uri });
    if (entries.length) {
      const pos = editor.selection.active;
      const under = entries.find(
        (e) => e.purl && pos.line >= e.range.start.line && pos.line <= e.range.end.line,
      );
      if (under && editor.selection.isEmpty) {
        return { uri, position: { line: pos.line, character: pos.character }, label: `${under.name}@${under.version}` };
      }
      const items = entries
        .filter((e) => e.purl)
        .map((e) => ({ label: `${e.name}@${e.version}`, description: e.verdict, detail: e.summary, entry: e }));
      const chosen = await vscode.window.showQuickPick(items, { placeHolder: prompt, matchOnDescription: true });
      if (!chosen) return undefined;
      return { uri, position: chosen.entry.range.start, label: chosen.label };
    }
  }
  const purl = await vscode.window.showInputBox({
    prompt,
    placeHolder: 'pkg:npm/lodash@4.17.21',
    validateInput: (v) => (v.trim().startsWith('pkg:') ? undefined : 'a package URL starts with pkg:'),
  });
  return purl ? { purl: purl.trim(), label: purl.trim() } : undefined;
}

/** Whether an error from the server says no identity could sign; then one is offered. */
export function isIdentityMissing(err: unknown): boolean {
  return err instanceof ResponseError && (err.data as { code?: string } | undefined)?.code === IDENTITY_MISSING;
}

async function decide(client: LanguageClient, identities: IdentityStore, status: TrustStatus, verb: string, preset?: Target): Promise<void> {
  const target = preset ?? (await pickTarget(client, `Dependency to ${verb}`));
  if (!target) return;
  // Inline actions (views, quick fixes) decide in one click; palette commands ask why.
  const reason = preset
    ? ''
    : await vscode.window.showInputBox({ prompt: `Why ${verb} ${target.label}? (optional, kept in the ledger)`, placeHolder: 'reason' });
  if (reason === undefined) return;
  const params: DecideParams = { uri: target.uri, position: target.position, purl: target.purl, status, reason: reason || undefined };
  try {
    let result: DecideResult;
    try {
      result = await client.sendRequest<DecideResult>(DECIDE_REQUEST, params);
    } catch (err) {
      if (!isIdentityMissing(err) || !(await identities.offer(client))) throw err;
      result = await client.sendRequest<DecideResult>(DECIDE_REQUEST, params);
    }
    vscode.window.setStatusBarMessage(`deptrust: ${result.purl} ${status} (record ${result.index})`, 5000);
  } catch (err) {
    void vscode.window.showErrorMessage(`deptrust: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function historyMarkdown(h: HistoryResult): string {
  const lines = [`# ${h.purl}`, ''];
  if (h.verdict) lines.push(`**${h.verdict}**: ${h.summary ?? ''}`, '');
  lines.push(`Ledger: ${h.ledger.kind} \`${h.ledger.location}\` (${h.ledger.health}: ${h.ledger.message})`, '');
  if (!h.records.length) lines.push('No decision recorded.');
  else {
    lines.push('| # | time | actor | status | reason | proof | signature |', '|---|---|---|---|---|---|---|');
    for (const r of h.records) {
      const cell = (s: string) => s.replace(/\|/g, '\\|');
      lines.push(`| ${r.index} | ${r.record.time} | ${cell(r.record.actor.name)} | ${r.record.status} | ${cell(r.record.reason ?? '')} | ${r.proof} | ${r.signature} |`);
    }
  }
  return lines.join('\n') + '\n';
}

async function showHistory(client: LanguageClient): Promise<void> {
  const target = await pickTarget(client, 'Dependency whose history to show');
  if (!target) return;
  const params: HistoryParams = { uri: target.uri, position: target.position, purl: target.purl };
  try {
    const h = await client.sendRequest<HistoryResult>(HISTORY_REQUEST, params);
    const doc = await vscode.workspace.openTextDocument({ content: historyMarkdown(h), language: 'markdown' });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  } catch (err) {
    void vscode.window.showErrorMessage(`deptrust: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The entries of a lockfile that are not trusted, to jump to (the CodeLens runs this). */
async function showNotTrusted(client: LanguageClient, uri?: string): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
  if (!target) return;
  const entries = await client.sendRequest<EntryInfo[]>(ENTRIES_REQUEST, { uri: target });
  const items = entries
    .filter((e) => e.verdict !== 'trusted' && e.verdict !== 'local')
    .map((e) => ({ label: `${e.name}@${e.version ?? '?'}`, description: e.verdict, detail: e.summary, entry: e }));
  if (!items.length) {
    vscode.window.setStatusBarMessage('deptrust: every dependency in this file is trusted', 4000);
    return;
  }
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: `${items.length} dependencies not trusted`, matchOnDescription: true, matchOnDetail: true });
  if (!chosen) return;
  const start = new vscode.Position(chosen.entry.range.start.line, chosen.entry.range.start.character);
  await vscode.window.showTextDocument(vscode.Uri.parse(target), { selection: new vscode.Range(start, start) });
}

export const IMMUDB_PASSWORD_SECRET = 'deptrust.immudbPassword';

async function setImmudbPassword(client: LanguageClient, secrets: vscode.SecretStorage): Promise<void> {
  const user = vscode.workspace.getConfiguration('deptrust').get<string>('immudb.user', 'immudb');
  const password = await vscode.window.showInputBox({ prompt: `Password of immudb user "${user}" (kept in VS Code's secret storage)`, password: true });
  if (password === undefined) return;
  await secrets.store(IMMUDB_PASSWORD_SECRET, password);
  await client.sendNotification(SET_IMMUDB_PASSWORD_NOTIFICATION, { password });
}

/** Every command, in one table. */
export function registerCommands(client: LanguageClient, identities: IdentityStore, view: TrustView, secrets: vscode.SecretStorage): vscode.Disposable[] {
  const fromView = (status: TrustStatus, verb: string) => async (node: unknown) => {
    const t = TrustView.target(node as Parameters<typeof TrustView.target>[0]);
    if (t) await decide(client, identities, status, verb, { ...t, label: '' });
  };
  const table: Record<string, (...args: any[]) => Promise<unknown>> = {
    'deptrust.showNotTrusted': (uri?: string) => showNotTrusted(client, uri),
    'deptrust.setImmudbPassword': () => setImmudbPassword(client, secrets),
    'deptrust.view.trust': fromView('trusted', 'trust'),
    'deptrust.view.distrust': fromView('untrusted', 'distrust'),
    'deptrust.view.unsupport': fromView('unsupported', 'mark unsupported'),
    'deptrust.view.filter': () => view.setFilter(),
    'deptrust.view.refresh': () => view.refresh(),
    'deptrust.notarize': () => decide(client, identities, 'trusted', 'trust'),
    'deptrust.revoke': () => decide(client, identities, 'untrusted', 'distrust'),
    'deptrust.unsupport': () => decide(client, identities, 'unsupported', 'mark unsupported'),
    'deptrust.createIdentity': () => identities.create(client),
    'deptrust.showIdentity': () => identities.show(),
    'deptrust.history': () => showHistory(client),
    'deptrust.refresh': async () => {
      await client.sendRequest(REFRESH_REQUEST);
    },
  };
  return Object.entries(table).map(([id, run]) => vscode.commands.registerCommand(id, run));
}
