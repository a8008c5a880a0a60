// `npm start`: a two-minute tour on real lockfiles (demo/), with a fresh embedded ledger.
// A security team trusts what the demo pins, revokes log4j-core 2.14.1 (Log4Shell) and marks
// an old rexml unsupported; then `deptrust check demo` prints the verdicts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'bin', 'deptrust');
const state = path.join(repo, '.cache', 'demo');
fs.rmSync(state, { recursive: true, force: true });
const env = { ...process.env, DEPTRUST_HOME: path.join(state, 'home'), DEPTRUST_LEDGER: path.join(state, 'ledger'), DEPTRUST_ACTOR: 'security-team' };

function run(args, { quiet = false } = {}) {
  if (!quiet) console.log(`\n$ deptrust ${args.map((a) => (/[\s()]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!quiet) process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r;
}

const help = run(['--help'], { quiet: true });
if (/\bidentity\b/.test(help.stdout)) run(['identity', 'create', '--name', 'security-team'], { quiet: true });

const listed = run(['check', 'demo', '--format', 'json'], { quiet: true });
const report = JSON.parse(listed.stdout);
const revoke = new Map([['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', 'CVE-2021-44228 (Log4Shell): remote code execution']]);
const unsupport = new Map([['pkg:gem/rexml@3.2.5', 'end of support: CVE-2024-49761, upgrade to 3.3.9 or later']]);
const trust = [];
const targets = new Map();
for (const file of report.files) {
  for (const d of file.dependencies) {
    if (!d.purl) continue;
    const target = `${path.relative(repo, file.path)}:${d.range.start.line + 1}`;
    if (revoke.has(d.purl) || unsupport.has(d.purl)) targets.set(d.purl, target);
    else trust.push(target);
  }
}

console.log(`The security team reviews the ${trust.length + targets.size} artifacts pinned in demo/ ...`);
run(['notarize', ...trust, '--reason', 'reviewed for the demo'], { quiet: true });
for (const [purl, reason] of revoke) run(['revoke', targets.get(purl) ?? purl, '--reason', reason]);
for (const [purl, reason] of unsupport) run(['unsupport', targets.get(purl) ?? purl, '--reason', reason]);

const checked = run(['check', 'demo']);
console.log(
  checked.status === 1
    ? '\nExit code 1: a pinned dependency is untrusted. In VS Code the same entries carry squiggles;\n' +
        `the demo ledger is in ${path.relative(repo, state)}/ledger.`
    : `\nExit code ${checked.status}.`,
);
process.exit(checked.status === 1 || checked.status === 0 ? 0 : checked.status ?? 1);
