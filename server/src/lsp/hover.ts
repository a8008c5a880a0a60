import { MarkupKind, type Hover } from 'vscode-languageserver';
import type { Dependency } from '../core/types';
import type { LedgerState } from '../ledger/ledger';
import type { StoredRecord } from '../ledger/record';
import type { Evaluation } from '../trust/verdict';

const SHOWN_RECORDS = 10;

/** Markdown-safe text: lockfile content must not turn into links or markup in a hover. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function recordLine(r: StoredRecord): string {
  const rec = r.record;
  const reason = rec.reason ? ` — ${md(rec.reason)}` : '';
  const checks = `record #${r.index}, proof ${r.proof}, signature ${r.signature}`;
  return `- ${md(rec.time.replace('T', ' ').slice(0, 16))} **${md(rec.actor.name)}**: ${rec.status}${reason} _(${checks})_`;
}

function ledgerLine(kind: string, location: string, state: LedgerState): string {
  const verified =
    state.health === 'ok'
      ? `verified ${new Date(state.verifiedAt).toISOString().slice(11, 19)} UTC, ${state.size} records`
      : `${state.health.toUpperCase()}: ${md(state.message)}`;
  return `Ledger: ${kind} \`${location}\` — ${verified}`;
}

export function hoverFor(dep: Dependency, e: Evaluation, kind: string, location: string, state: LedgerState): Hover {
  const lines: string[] = [];
  lines.push(`**${md(dep.name)}@${md(dep.version ?? '?')}** — **${e.verdict}**: ${md(e.summary)}`);
  lines.push('');
  if (dep.purl) lines.push(`\`${dep.purl}\``);
  if (dep.checksum) lines.push(`checksum \`${dep.checksum}\`${dep.checksumOf === 'go.mod' ? ' (go.mod only)' : ''}`);
  if (dep.hint) lines.push(`_${md(dep.hint)}_`);
  lines.push('');
  if (e.records.length) {
    lines.push(`History (${e.records.length} record${e.records.length === 1 ? '' : 's'}, newest first):`);
    for (const r of e.records.slice(-SHOWN_RECORDS).reverse()) lines.push(recordLine(r));
    if (e.records.length > SHOWN_RECORDS) lines.push(`- … ${e.records.length - SHOWN_RECORDS} older`);
  } else if (dep.purl) {
    lines.push('No decision recorded for this artifact.');
  }
  lines.push('', ledgerLine(kind, location, state));
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: dep.range };
}
