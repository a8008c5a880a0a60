import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedLedger } from '../../../server/src/ledger/embedded';
import { createIdentity, signDecision, type Identity } from '../../../server/src/identity/identity';
import type { TrustStatus } from '../../../server/src/core/types';
import type { TrustRecord } from '../../../server/src/ledger/record';

/** A fresh folder under the system temp folder, removed by the returned function. */
export function tempDir(prefix = 'deptrust-ledger-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A workspace for one test: a ledger folder, a witness folder and an identity file. */
export interface Sandbox {
  root: string;
  ledgerDir: string;
  witnessDir: string;
  identity: Identity;
  open(): Promise<EmbeddedLedger>;
  remove(): void;
}

export function sandbox(name = 'alice'): Sandbox {
  const { dir, remove } = tempDir();
  const ledgerDir = path.join(dir, 'ledger');
  const witnessDir = path.join(dir, 'witness');
  const identity = createIdentity(name, { path: path.join(dir, `${name}.identity.json`) });
  const opened: EmbeddedLedger[] = [];
  return {
    root: dir,
    ledgerDir,
    witnessDir,
    identity,
    async open() {
      const ledger = new EmbeddedLedger(ledgerDir, { witnessDir });
      opened.push(ledger);
      await ledger.open();
      return ledger;
    },
    remove() {
      for (const l of opened) void l.close();
      remove();
    },
  };
}

export function decision(
  identity: Identity,
  purl: string,
  status: TrustStatus = 'trusted',
  reason?: string,
): TrustRecord {
  return signDecision(identity, {
    subject: { purl, checksum: 'sha512-' + Buffer.from(purl).toString('base64') },
    status,
    reason,
    time: new Date('2026-12-01T10:00:00Z'),
  });
}

export function logPath(s: Sandbox): string {
  return path.join(s.ledgerDir, 'records.jsonl');
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
