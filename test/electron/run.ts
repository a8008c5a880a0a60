// Runs the extension's editor test in desktop VS Code through @vscode/test-electron, which
// downloads VS Code (once, into .vscode-test/) and starts it with the extension under
// development and the test in suite/index.js inside its extension host.
//
// `npm run test:electron` (it builds first). Not part of `node scripts/test.mjs`: it needs a
// machine that can download VS Code and show a window (or xvfb-run on Linux).

import { runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../e2e/harness';
import { deptrust, lineOf, makeWorkspace } from '../e2e/workspace';

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'client.js'))) {
    throw new Error('dist/client.js is missing: run `npm run build` first');
  }
  const workspace = makeWorkspace();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-electron-home-'));
  const ledger = path.join(home, 'ledger');
  const userData = path.join(home, 'user-data');
  const env = { DEPTRUST_HOME: home };

  // Records count when signed by this machine's identity (no policy file in the workspace).
  deptrust(['identity', 'create', '--name', 'electron-reviewer'], env);
  const leftPad = lineOf('package-lock.json', '"node_modules/left-pad"');
  const lodash = lineOf('package-lock.json', '"node_modules/lodash"');
  const debug = lineOf('package-lock.json', '"node_modules/debug"');
  const lockfile = path.join(workspace, 'package-lock.json');
  deptrust(['notarize', `${lockfile}:${lodash}`, '--ledger', ledger], env);
  deptrust(['revoke', `${lockfile}:${leftPad}`, '--reason', 'unpublished', '--ledger', ledger], env);

  fs.mkdirSync(path.join(workspace, '.vscode'));
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'deptrust.ledger.path': ledger }, null, 2),
  );

  try {
    const code = await runTests({
      // A VS Code already on the machine, or a version to download.
      vscodeExecutablePath: process.env.DEPTRUST_VSCODE_EXECUTABLE,
      version: process.env.DEPTRUST_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--user-data-dir', userData],
      extensionTestsEnv: {
        ...env,
        // 1-based lines the suite expects findings on.
        DEPTRUST_EXPECT: JSON.stringify({ leftPad, lodash, debug }),
      },
    });
    process.exitCode = code;
  } finally {
    for (const dir of [workspace, home]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`test:electron: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
