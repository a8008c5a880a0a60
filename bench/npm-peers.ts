// Times npm's and snyk's package-lock readers in a process of their own, so one that takes
// minutes on a large file can be stopped (bench/parsers.bench.ts gives it a deadline).
//   node --expose-gc --import tsx bench/npm-peers.ts arborist|snyk DIR RUNS WARMUP
// DIR holds package-lock.json and package.json. Prints one JSON line:
// {"samples_ms": [...], "cpu_ms": [...], "count": N}.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parseNpmLockV2Project } from 'snyk-nodejs-lockfile-parser';
import { collectGarbage } from './measure';

/** The part of @npmcli/arborist used here; the package ships no types. */
interface ArboristClass {
  new (options: { path: string }): { loadVirtual(): Promise<{ inventory: { size: number } }> };
}

async function once(tool: string, dir: string, manifest: string, lock: string): Promise<number> {
  if (tool === 'arborist') {
    const Arborist = createRequire(__filename)('@npmcli/arborist') as ArboristClass;
    const tree = await new Arborist({ path: dir }).loadVirtual();
    return tree.inventory.size - 1;
  }
  const graph = await parseNpmLockV2Project(manifest, lock, {
    includeDevDeps: true,
    includeOptionalDeps: true,
    includePeerDeps: true,
    strictOutOfSync: false,
    pruneCycles: true,
  });
  return graph.getPkgs().length - 1;
}

async function main(): Promise<void> {
  const [tool, dir, runs, warmup] = process.argv.slice(2);
  const manifest = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
  const lock = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  let count = 0;
  for (let i = 0; i < Number(warmup); i++) await once(tool, dir, manifest, lock);
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < Number(runs); i++) {
    collectGarbage();
    const c = process.cpuUsage();
    const t = performance.now();
    count = await once(tool, dir, manifest, lock);
    samples.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  process.stdout.write(`${JSON.stringify({ samples_ms: samples, cpu_ms: cpu, count })}\n`);
}

void main();
