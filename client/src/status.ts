import * as vscode from 'vscode';
import type { SummaryParams } from '../../server/src/lsp/protocol';

/**
 * The status bar item: the verdicts of the active lockfile, and the ledger's health. It is
 * hidden when the active editor holds no lockfile.
 */
export class StatusDisplay implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('deptrust.status', vscode.StatusBarAlignment.Left, 0);
  private readonly summaries = new Map<string, SummaryParams>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.item.name = 'deptrust';
    this.item.command = 'workbench.actions.view.problems';
    this.subscription = vscode.window.onDidChangeActiveTextEditor(() => this.render());
  }

  update(summary: SummaryParams): void {
    this.summaries.set(summary.uri, summary);
    this.render();
  }

  forget(uri: string): void {
    this.summaries.delete(uri);
    this.render();
  }

  private render(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const s = uri ? this.summaries.get(uri) : undefined;
    if (!s) {
      this.item.hide();
      return;
    }
    const bad = (s.counts.untrusted ?? 0) + (s.counts.mismatch ?? 0) + (s.counts.compromised ?? 0) + (s.counts.unavailable ?? 0);
    const ledgerBad = s.ledger.health !== 'ok';
    const icon = ledgerBad || bad ? '$(shield-x)' : s.counts.unknown ? '$(shield)' : '$(shield-check)';
    const stale = s.ledger.health === 'stale' ? ` (stale, verified ${age(s.ledger.verifiedAt)} ago)` : '';
    this.item.text = `${icon} ${s.text}${stale}`;
    this.item.backgroundColor = ledgerBad || bad ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**deptrust**: ${s.text}\n\n`);
    tooltip.appendMarkdown(`Ledger: ${s.ledger.kind} \`${s.ledger.location}\` — ${s.ledger.health}: ${s.ledger.message}\n\n`);
    if (s.parseError) tooltip.appendMarkdown(`The file does not parse now; showing the verdicts of its last good version.\n\n`);
    tooltip.appendMarkdown('Click to open the Problems panel.');
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

/** `42 s`, `5 min`, `3 h`: how long ago a time was, for the stale marker. */
function age(since: number): string {
  const s = Math.max(0, Math.round((Date.now() - since) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
