import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Verdict } from '../../server/src/core/types';
import { WORKSPACE_REQUEST, type EntryInfo, type WorkspaceLockfile } from '../../server/src/lsp/protocol';

type Node =
  | { kind: 'lockfile'; lockfile: WorkspaceLockfile }
  | { kind: 'group'; lockfile: WorkspaceLockfile; verdict: Verdict; entries: EntryInfo[] }
  | { kind: 'entry'; lockfile: WorkspaceLockfile; entry: EntryInfo };

/** The order groups appear in: trouble first. */
const GROUPS: Verdict[] = ['compromised', 'unavailable', 'mismatch', 'untrusted', 'unsupported', 'unknown', 'trusted', 'local'];

const ICONS: Record<Verdict, vscode.ThemeIcon> = {
  trusted: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  untrusted: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  mismatch: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  compromised: new vscode.ThemeIcon('shield', new vscode.ThemeColor('errorForeground')),
  unavailable: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('errorForeground')),
  unsupported: new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground')),
  unknown: new vscode.ThemeIcon('question'),
  local: new vscode.ThemeIcon('home'),
};

/**
 * The "Dependency Trust" view: every checked lockfile, its dependencies grouped by verdict, with
 * inline Trust / Distrust / Unsupported actions and a text filter.
 */
export class TrustView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private lockfiles: WorkspaceLockfile[] = [];
  private filter = '';
  private pending: NodeJS.Timeout | undefined;
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: LanguageClient) {
    this.view = vscode.window.createTreeView('deptrust.trust', { treeDataProvider: this, showCollapseAll: true });
    this.view.onDidChangeVisibility((e) => e.visible && void this.refresh());
  }

  /** Re-reads the server's state, coalescing bursts of changes. */
  refreshSoon(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.refresh(), 300);
  }

  async refresh(): Promise<void> {
    if (!this.view.visible && this.lockfiles.length) return;
    try {
      this.lockfiles = await this.client.sendRequest<WorkspaceLockfile[]>(WORKSPACE_REQUEST);
    } catch {
      return;
    }
    const bad = this.lockfiles.reduce((n, l) => n + l.entries.filter((e) => ['untrusted', 'mismatch', 'compromised', 'unavailable'].includes(e.verdict)).length, 0);
    this.view.badge = bad ? { value: bad, tooltip: `${bad} dependencies fail the trust check` } : undefined;
    this.view.message = this.filter ? `Filter: ${this.filter}` : undefined;
    this.changed.fire(undefined);
  }

  async setFilter(): Promise<void> {
    const value = await vscode.window.showInputBox({ prompt: 'Show dependencies whose name, version or verdict contains', value: this.filter });
    if (value === undefined) return;
    this.filter = value.trim().toLowerCase();
    await this.refresh();
  }

  private matches(e: EntryInfo): boolean {
    if (!this.filter) return true;
    return `${e.name}@${e.version ?? ''} ${e.verdict}`.toLowerCase().includes(this.filter);
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.lockfiles.filter((l) => l.entries.some((e) => this.matches(e))).map((lockfile) => ({ kind: 'lockfile', lockfile }));
    if (node.kind === 'lockfile') {
      const groups: Node[] = [];
      for (const verdict of GROUPS) {
        const entries = node.lockfile.entries.filter((e) => e.verdict === verdict && this.matches(e));
        if (entries.length) groups.push({ kind: 'group', lockfile: node.lockfile, verdict, entries });
      }
      return groups;
    }
    if (node.kind === 'group') return node.entries.map((entry) => ({ kind: 'entry', lockfile: node.lockfile, entry }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'lockfile') {
      const uri = vscode.Uri.parse(node.lockfile.uri);
      const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.Expanded);
      item.description = node.lockfile.text;
      item.contextValue = 'lockfile';
      return item;
    }
    if (node.kind === 'group') {
      const collapsed = node.verdict === 'trusted' || node.verdict === 'local';
      const item = new vscode.TreeItem(`${node.verdict} (${node.entries.length})`, collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = ICONS[node.verdict];
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(`${e.name}@${e.version ?? '?'}`, vscode.TreeItemCollapsibleState.None);
    item.description = e.summary;
    item.tooltip = `${e.purl ?? e.name}\n${e.verdict}: ${e.summary}`;
    item.iconPath = ICONS[e.verdict];
    item.contextValue = e.purl ? `entry.${e.verdict}` : 'entry.local';
    const start = new vscode.Position(e.range.start.line, e.range.start.character);
    item.command = { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.parse(node.lockfile.uri), { selection: new vscode.Range(start, start) }] };
    return item;
  }

  /** The lockfile and position of an entry node, for the inline actions. */
  static target(node: Node | undefined): { uri: string; position: { line: number; character: number } } | undefined {
    if (!node || node.kind !== 'entry') return undefined;
    return { uri: node.lockfile.uri, position: node.entry.range.start };
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.view.dispose();
    this.changed.dispose();
  }
}
