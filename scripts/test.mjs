// Runs every test file (test/**/*.test.ts) with node's built-in runner, TypeScript through tsx.
// Arguments narrow the run to files or folders: `node scripts/test.mjs test/parsers`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function collect(target, out) {
  const stat = fs.statSync(target);
  if (stat.isFile()) {
    out.push(target);
    return;
  }
  for (const entry of fs.readdirSync(target).sort()) {
    const full = path.join(target, entry);
    if (entry === 'node_modules' || entry === 'fixtures') continue;
    if (fs.statSync(full).isDirectory()) collect(full, out);
    else if (entry.endsWith('.test.ts')) out.push(full);
  }
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [];
for (const t of targets.length ? targets : ['test']) collect(t, files);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(2);
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
