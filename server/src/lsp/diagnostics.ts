import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Dependency, ParseProblem, ProblemSeverity } from '../core/types';
import type { PolicyLoad } from '../trust/policy';
import type { Evaluation } from '../trust/verdict';
import type { Analysis } from './analysis';
import { severityOf, type Settings } from './settings';

export const SOURCE = 'deptrust';

/** What code actions need to act on a diagnostic without parsing again. */
export interface DiagnosticData {
  purl: string | null;
  verdict: string;
  index: number;
}

const PROBLEM_SEVERITY: Record<ProblemSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function label(dep: Dependency): string {
  const platform = dep.details?.platform ? ` (${dep.details.platform})` : '';
  return `${dep.name}@${dep.version ?? '?'}${platform}`;
}

function message(dep: Dependency, e: Evaluation): string {
  switch (e.verdict) {
    case 'mismatch':
      return `${label(dep)}: ${e.summary}`;
    case 'compromised':
    case 'unavailable':
      return `${label(dep)}: ${e.summary}; no verdict can be trusted`;
    default:
      return `${label(dep)} is ${e.verdict}: ${e.summary}`;
  }
}

export function problemDiagnostic(p: ParseProblem, prefix = ''): Diagnostic {
  return { range: p.range, severity: PROBLEM_SEVERITY[p.severity], source: SOURCE, code: p.code, message: prefix + p.message };
}

export function toDiagnostics(analysis: Analysis, settings: Settings): Diagnostic[] {
  const out: Diagnostic[] = [];
  const deps = analysis.result.dependencies;
  deps.forEach((dep, index) => {
    const e = analysis.evaluations[index];
    if (!e) return;
    const severity = severityOf(e.verdict, settings);
    if (severity === undefined) return;
    const data: DiagnosticData = { purl: dep.purl, verdict: e.verdict, index };
    const d: Diagnostic = { range: analysis.heads[index] ?? dep.range, severity, source: SOURCE, code: e.verdict, message: message(dep, e), data };
    const related = dep.details?.related;
    if (related?.length) {
      d.relatedInformation = related.map((r) => ({ location: { uri: r.uri, range: r.range }, message: r.message }));
    }
    out.push(d);
  });
  const policy = analysis.policy;
  if (policy && !policy.ok) {
    out.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Error,
      source: SOURCE,
      code: 'policy-broken',
      message: `the policy ${policy.file} is broken (${policy.errors[0]?.message ?? 'unreadable'}): no decision counts until it is fixed`,
    });
  }
  const problems = analysis.brokenBy ?? analysis.result.problems;
  const prefix = analysis.brokenBy ? 'does not parse (showing the verdicts of the last version that did): ' : '';
  for (const p of problems) out.push(problemDiagnostic(p, p.severity === 'error' ? prefix : ''));
  return out;
}

/** The positioned errors of a broken policy file, for that file. */
export function policyDiagnostics(load: PolicyLoad): Diagnostic[] {
  if (load.ok) return [];
  return load.errors.map((e) => ({ range: e.range, severity: DiagnosticSeverity.Error, source: SOURCE, code: e.code, message: e.message }));
}
