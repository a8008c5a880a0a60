import * as os from 'node:os';
import * as path from 'node:path';

/** The per-user data folder deptrust keeps its state in (the ledger, witnesses, identities). */
export function dataHome(): string {
  if (process.env.DEPTRUST_HOME) return process.env.DEPTRUST_HOME;
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'deptrust');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'deptrust');
    default:
      return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'deptrust');
  }
}

/**
 * The embedded ledger's folder: an explicit choice (setting or `--ledger`) first, then
 * `DEPTRUST_LEDGER`, then `ledger/` in the data folder.
 */
export function embeddedLedgerDir(explicit?: string | null): string {
  if (explicit && explicit.trim()) return path.resolve(explicit);
  if (process.env.DEPTRUST_LEDGER) return path.resolve(process.env.DEPTRUST_LEDGER);
  return path.join(dataHome(), 'ledger');
}
