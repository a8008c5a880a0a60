import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { TrustStatus, Verdict } from '../../server/src/core/types';
import {
  REVIEW_REQUEST,
  type ReviewParams,
  type ReviewResult,
} from '../../server/src/lsp/protocol';
import type { Review, ReviewedChange, ReviewedLockfile } from '../../server/src/review/review';

/**
 * The part of the built-in git extension's API (`vscode.git`, `getAPI(1)`) this view uses:
 * where repositories are and when their index or HEAD changes.
 */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly onDidChange: vscode.Event<void> };
}
interface GitApi {
  readonly repositories: GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  readonly onDidCloseRepository: vscode.Event<GitRepository>;
}
interface GitExtension {
  getAPI(version: 1): GitApi;
}

type Node =
  | { kind: 'repository'; root: vscode.Uri; result: ReviewResult }
  | { kind: 'lockfile'; root: vscode.Uri; lockfile: ReviewedLockfile }
  | { kind: 'change'; root: vscode.Uri; lockfile: ReviewedLockfile; change: ReviewedChange }
  | { kind: 'problem'; message: string };

const ICONS = {
  blocks: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  passes: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  removed: new vscode.ThemeIcon('remove'),
};

function versionText(c: ReviewedChange): string {
  if (c.kind === 'added') return `+ ${c.after?.version ?? '?'}`;
  if (c.kind === 'removed') return `- ${c.before?.version ?? '?'}`;
  if (c.before?.version === c.after?.version) return `${c.after?.version ?? '?'}, other checksum`;
  return `${c.before?.version ?? '?'} → ${c.after?.version ?? '?'}`;
}

function blocking(result: ReviewResult): number {
  return (
    result.review?.lockfiles.reduce((n, l) => n + l.changes.filter((c) => c.blocks).length, 0) ?? 0
  );
}

/**
 * The "Dependency Review" view in Source Control: the staged lockfile changes of every
 * repository with their verdicts, Trust / Distrust on each added or changed dependency, and a
 * badge counting what would stop the commit. A review that cannot be made is shown as an
 * error, never as an empty review.
 */
export class ReviewView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly results = new Map<string, { root: vscode.Uri; result: ReviewResult }>();
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;
  private git: GitApi | undefined;

  constructor(private readonly client: LanguageClient) {
    this.view = vscode.window.createTreeView('deptrust.review', {
      treeDataProvider: this,
      showCollapseAll: true,
    });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility((e) => e.visible && this.refreshSoon()),
    );
    void this.watchGit();
  }

  /** Follows the git extension's repositories: their index and HEAD changes refresh the view. */
  private async watchGit(): Promise<void> {
    const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
    try {
      this.git = (extension?.isActive ? extension.exports : await extension?.activate())?.getAPI(1);
    } catch {
      this.git = undefined;
    }
    if (this.git) {
      const watch = (r: GitRepository) =>
        this.disposables.push(r.state.onDidChange(() => this.refreshSoon()));
      this.git.repositories.forEach(watch);
      this.disposables.push(
        this.git.onDidOpenRepository((r) => {
          watch(r);
          this.refreshSoon();
        }),
        this.git.onDidCloseRepository(() => this.refreshSoon()),
      );
    }
    this.refreshSoon();
  }

  /** The repositories to review: the git extension's, else the workspace folders. */
  private roots(): vscode.Uri[] {
    if (this.git) return this.git.repositories.map((r) => r.rootUri);
    return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
  }

  /** Reviews again, coalescing bursts (a `git add` changes the state several times). */
  refreshSoon(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.refresh(), 400);
  }

  async refresh(decide?: { root: vscode.Uri; params: ReviewParams['decide'] }): Promise<void> {
    const roots = this.roots();
    for (const key of [...this.results.keys()])
      if (!roots.some((r) => r.toString() === key)) this.results.delete(key);
    for (const root of roots) {
      const params: ReviewParams = { folder: root.toString(), staged: true };
      if (decide && decide.root.toString() === root.toString()) params.decide = decide.params;
      let result: ReviewResult;
      try {
        result = await this.client.sendRequest<ReviewResult>(REVIEW_REQUEST, params);
      } catch (err) {
        result = {
          error: {
            code: 'REVIEW_FAILED',
            message: err instanceof Error ? err.message : String(err),
          },
        };
      }
      // A folder that is not a repository has nothing staged; it is no failure of the review.
      if (result.error?.code === 'GIT_NOT_A_REPOSITORY' && !this.git)
        this.results.delete(root.toString());
      else this.results.set(root.toString(), { root, result });
      if (decide && result.error && params.decide) this.reportDecisionError(result.error);
    }
    this.updateBadge();
    this.changed.fire(undefined);
  }

  private reportDecisionError(error: { code: string; message: string }): void {
    if (error.code === 'IDENTITY_MISSING' || error.code === 'IDENTITY_UNUSABLE') {
      void vscode.window
        .showErrorMessage(`deptrust: ${error.message}`, 'Create Identity')
        .then((pick) => {
          if (pick) void vscode.commands.executeCommand('deptrust.createIdentity');
        });
    } else void vscode.window.showErrorMessage(`deptrust: ${error.message}`);
  }

  private updateBadge(): void {
    let blocked = 0;
    const failures: string[] = [];
    for (const { result } of this.results.values()) {
      blocked += blocking(result);
      if (result.error) failures.push(result.error.message);
      for (const p of result.review?.problems ?? []) failures.push(p.message);
    }
    const count = blocked + failures.length;
    this.view.badge = count
      ? {
          value: count,
          tooltip: failures.length
            ? 'the dependency review failed: nothing staged is judged safe'
            : `${blocked} staged dependency changes the policy does not trust`,
        }
      : undefined;
    if (failures.length) this.view.message = `Review failed: ${failures[0]}`;
    else if (blocked)
      this.view.message = `${blocked} staged dependency ${blocked === 1 ? 'change is' : 'changes are'} not trusted: the deptrust pre-commit hook will stop this commit.`;
    else this.view.message = undefined;
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const all = [...this.results.values()];
      if (all.length === 1) return this.repositoryChildren(all[0].root, all[0].result);
      return all.map(({ root, result }) => ({ kind: 'repository', root, result }));
    }
    if (node.kind === 'repository') return this.repositoryChildren(node.root, node.result);
    if (node.kind === 'lockfile')
      return node.lockfile.changes.map((change) => ({
        kind: 'change',
        root: node.root,
        lockfile: node.lockfile,
        change,
      }));
    return [];
  }

  private repositoryChildren(root: vscode.Uri, result: ReviewResult): Node[] {
    if (result.error)
      return [{ kind: 'problem', message: `${result.error.message} [${result.error.code}]` }];
    const review = result.review as Review;
    const problems: Node[] = review.problems.map((p) => ({
      kind: 'problem',
      message: `${p.message} [${p.code}]`,
    }));
    const policies: Node[] = review.policyChanges.map((p) => ({
      kind: 'problem',
      message: `The trust policy ${p} changes too: review that edit as well`,
    }));
    return [
      ...problems,
      ...policies,
      ...review.lockfiles.map((lockfile): Node => ({ kind: 'lockfile', root, lockfile })),
    ];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.message);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('errorForeground'));
      return item;
    }
    if (node.kind === 'repository') {
      const item = new vscode.TreeItem(node.root, vscode.TreeItemCollapsibleState.Expanded);
      const n = blocking(node.result);
      item.description = node.result.error
        ? 'review failed'
        : n
          ? `${n} not trusted`
          : 'nothing blocks';
      return item;
    }
    if (node.kind === 'lockfile') {
      const uri = vscode.Uri.file(node.lockfile.path);
      const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.Expanded);
      const n = node.lockfile.changes.filter((c) => c.blocks).length;
      item.description = `${node.lockfile.changes.length} changed${n ? `, ${n} not trusted` : ''}`;
      return item;
    }
    const c = node.change;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
    item.description = `${versionText(c)} · ${c.verdict}`;
    item.tooltip = new vscode.MarkdownString().appendText(
      `${c.kind}: ${c.after?.purl ?? c.before?.purl ?? c.name}\n${c.verdict}: ${c.summary}`,
    );
    item.iconPath = c.kind === 'removed' ? ICONS.removed : c.blocks ? ICONS.blocks : ICONS.passes;
    // `change.<kind>.<verdict>`: the Trust and Distrust actions show on additions and changes.
    item.contextValue = `change.${c.kind}.${c.verdict satisfies Verdict}`;
    const range = (c.after ?? c.before)!.range;
    const start = new vscode.Position(range.start.line, range.start.character);
    item.command = {
      title: 'Open',
      command: 'vscode.open',
      arguments: [
        vscode.Uri.file(node.lockfile.path),
        { selection: new vscode.Range(start, start) },
      ],
    };
    return item;
  }

  /** Records a decision on a reviewed change (after a confirmation for Trust) and reviews again. */
  async decide(node: Node | undefined, status: TrustStatus): Promise<void> {
    if (!node || node.kind !== 'change' || !node.change.after) return;
    const c = node.change;
    const entry = c.after!;
    if (status === 'trusted') {
      const confirm = 'Trust';
      const answer = await vscode.window.showWarningMessage(
        `Trust ${c.name}@${entry.version ?? '?'}${entry.checksum ? ` (${entry.checksum.slice(0, 24)}…)` : ''}? A record goes into the ledger under your name.`,
        { modal: true },
        confirm,
      );
      if (answer !== confirm) return;
    }
    const reason =
      status === 'trusted' ? 'reviewed before commit' : 'distrusted in the dependency review';
    await this.refresh({ root: node.root, params: [{ entry, status, reason }] });
  }

  dispose(): void {
    clearTimeout(this.pending);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Registers the review view and its commands. Call `refreshSoon()` on the returned view when
 * the server reports a ledger change (`deptrust/summary`), so verdicts follow decisions made
 * elsewhere.
 */
export function registerReview(
  context: vscode.ExtensionContext,
  client: LanguageClient,
): ReviewView {
  const view = new ReviewView(client);
  context.subscriptions.push(
    view,
    vscode.commands.registerCommand('deptrust.reviewStaged', async () => {
      await vscode.commands.executeCommand('deptrust.review.focus');
      await view.refresh();
    }),
    vscode.commands.registerCommand('deptrust.review.refresh', () => view.refresh()),
    vscode.commands.registerCommand('deptrust.review.trust', (node?: Node) =>
      view.decide(node, 'trusted'),
    ),
    vscode.commands.registerCommand('deptrust.review.distrust', (node?: Node) =>
      view.decide(node, 'untrusted'),
    ),
  );
  return view;
}
