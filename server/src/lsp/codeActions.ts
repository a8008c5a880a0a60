import { CodeActionKind, type CodeAction, type CodeActionParams } from 'vscode-languageserver';
import type { TrustStatus, Verdict } from '../core/types';
import { dependencyAt } from '../app/targets';
import type { Analysis } from './analysis';
import { COMMAND_DECIDE, COMMAND_TRUST_ALL_UNKNOWN } from './protocol';
import { SOURCE } from './diagnostics';

export interface DecideCommandArgs {
  uri: string;
  version: number;
  index: number;
  status: TrustStatus;
}

const ACTIONS: Array<{ status: TrustStatus; title: string; unless: Verdict }> = [
  { status: 'trusted', title: 'Trust', unless: 'trusted' },
  { status: 'untrusted', title: 'Distrust', unless: 'untrusted' },
  { status: 'unsupported', title: 'Mark unsupported', unless: 'unsupported' },
];

/** A source kind of its own, so editors can bind or filter it. */
export const TRUST_ALL_KIND = `${CodeActionKind.Source}.deptrust.trustAllUnknown`;

/**
 * Quick fixes on the entry under the cursor (Trust, Distrust, Mark unsupported: whichever
 * would change its verdict) and a source action trusting every unknown entry of the file.
 */
export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  const deps = analysis.result.dependencies;
  const actions: CodeAction[] = [];
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));

  if (wants(CodeActionKind.QuickFix)) {
    const dep = dependencyAt(deps, params.range.start);
    const index = dep ? deps.indexOf(dep) : -1;
    const e = analysis.evaluations[index];
    if (dep && dep.purl && e && e.verdict !== 'compromised' && e.verdict !== 'unavailable') {
      const diagnostics = params.context.diagnostics.filter((d) => d.source === SOURCE && (d.data as { index?: number })?.index === index);
      for (const a of ACTIONS) {
        if (e.verdict === a.unless) continue;
        const args: DecideCommandArgs = { uri: analysis.uri, version: analysis.version, index, status: a.status };
        actions.push({
          title: `${a.title} ${dep.name}@${dep.version}`,
          kind: CodeActionKind.QuickFix,
          diagnostics,
          isPreferred: a.status === 'trusted' && e.verdict === 'unknown',
          command: { title: a.title, command: COMMAND_DECIDE, arguments: [args] },
        });
      }
    }
  }

  if (wants(TRUST_ALL_KIND)) {
    const unknown = analysis.evaluations.filter((e, i) => e.verdict === 'unknown' && deps[i]?.purl).length;
    if (unknown > 0) {
      actions.push({
        title: `Trust all ${unknown} unknown dependencies in this file…`,
        kind: TRUST_ALL_KIND,
        command: { title: 'Trust all unknown', command: COMMAND_TRUST_ALL_UNKNOWN, arguments: [{ uri: analysis.uri, version: analysis.version }] },
      });
    }
  }
  return actions;
}
