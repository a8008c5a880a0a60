import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Verdict } from '../core/types';
import type { LedgerOptions } from '../ledger/open';

export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Every `deptrust.*` setting the server reads, with its default. */
export interface Settings {
  severity: Record<'untrusted' | 'mismatch' | 'unsupported' | 'unknown', SeveritySetting>;
  ledger: { kind: 'embedded' | 'immudb'; path: string };
  immudb: { address: string; database: string; user: string };
  /** `workspace`: every lockfile of the workspace folders; `openFiles`: only open editors. */
  check: 'workspace' | 'openFiles';
  /** Globs (relative to a workspace folder, or absolute) of lockfiles never checked. */
  exclude: string[];
}

export const DEFAULT_SETTINGS: Settings = {
  severity: { untrusted: 'error', mismatch: 'error', unsupported: 'warning', unknown: 'information' },
  ledger: { kind: 'embedded', path: '' },
  immudb: { address: '127.0.0.1:3322', database: 'defaultdb', user: 'immudb' },
  check: 'workspace',
  exclude: ['**/node_modules/**', '**/.git/**'],
};

const SEVERITIES: Record<Exclude<SeveritySetting, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * The severity of a verdict's diagnostic; undefined for none. A ledger that is compromised or
 * unavailable is always an Error: that is not a matter of taste.
 */
export function severityOf(verdict: Verdict, settings: Settings): DiagnosticSeverity | undefined {
  switch (verdict) {
    case 'trusted':
    case 'local':
      return undefined;
    case 'compromised':
    case 'unavailable':
      return DiagnosticSeverity.Error;
    default: {
      const s = settings.severity[verdict];
      return s === 'off' ? undefined : SEVERITIES[s];
    }
  }
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Reads the `deptrust` section as the client sends it, falling back per field. */
export function readSettings(raw: unknown): Settings {
  const r = (raw ?? {}) as Record<string, any>;
  const levels = ['error', 'warning', 'information', 'hint', 'off'] as const;
  const d = DEFAULT_SETTINGS;
  return {
    severity: {
      untrusted: pick(r.severity?.untrusted, levels, d.severity.untrusted),
      mismatch: pick(r.severity?.mismatch, levels, d.severity.mismatch),
      unsupported: pick(r.severity?.unsupported, levels, d.severity.unsupported),
      unknown: pick(r.severity?.unknown, levels, d.severity.unknown),
    },
    ledger: {
      kind: pick(r.ledger?.kind, ['embedded', 'immudb'] as const, d.ledger.kind),
      path: typeof r.ledger?.path === 'string' ? r.ledger.path : d.ledger.path,
    },
    immudb: {
      address: typeof r.immudb?.address === 'string' && r.immudb.address ? r.immudb.address : d.immudb.address,
      database: typeof r.immudb?.database === 'string' && r.immudb.database ? r.immudb.database : d.immudb.database,
      user: typeof r.immudb?.user === 'string' && r.immudb.user ? r.immudb.user : d.immudb.user,
    },
    check: pick(r.check, ['workspace', 'openFiles'] as const, d.check),
    exclude: Array.isArray(r.exclude) ? r.exclude.filter((g: unknown): g is string => typeof g === 'string') : d.exclude,
  };
}

export function ledgerOptionsOf(settings: Settings, password?: string): LedgerOptions {
  if (settings.ledger.kind === 'immudb') {
    return { kind: 'immudb', ...settings.immudb, password };
  }
  return { kind: 'embedded', dir: settings.ledger.path || null };
}
