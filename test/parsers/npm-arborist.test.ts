// Differential test: npm's own lockfile reader, @npmcli/arborist `loadVirtual()`, against the
// package-lock parser, on the shared corpus, the bench lockfiles and a lockfile that real
// `npm install --package-lock-only` writes at test time. Location, name and version must agree
// entry for entry.
//
// Deliberate differences: for a link arborist reports the link target's name and version, while
// deptrust reports the link itself (name from its folder, no version) and names the target in
// its hint, so links are compared by location and target. A v1 `file:` folder outside the
// project becomes a node of its own in arborist (`../folder`); the lockfile has no entry for it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Dependency } from '../../server/src/core/types';
import { parsePackageLock } from '../../server/src/parsers/npm/packageLock';
import { sharedPath } from '../helpers/shared';

const REPO = path.resolve(__dirname, '..', '..');

// The part of arborist's node this test reads.
interface ArboristNode {
  location: string;
  packageName: string;
  version?: string;
  isRoot: boolean;
  isLink: boolean;
  integrity?: string | null;
  target?: ArboristNode;
}
type ArboristClass = new (options: { path: string }) => {
  loadVirtual(): Promise<{ inventory: Map<string, ArboristNode> }>;
};

function loadArborist(): ArboristClass {
  try {
    return createRequire(__filename)('@npmcli/arborist') as ArboristClass;
  } catch (error) {
    throw new Error(
      `@npmcli/arborist is needed for this test: run \`npm install\` in ${REPO} (it is a devDependency). ` +
        `(${(error as Error).message})`,
    );
  }
}

const temps: string[] = [];
after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-arborist-'));
  temps.push(dir);
  return dir;
}

/**
 * A folder holding the lockfile as package-lock.json and a package.json: the given one, or a
 * minimal one written from the lockfile's root entry (arborist reads the root from it).
 */
function folderFor(lockfile: string, packageJson?: string): string {
  const dir = tempDir();
  fs.copyFileSync(lockfile, path.join(dir, 'package-lock.json'));
  if (packageJson) {
    fs.copyFileSync(packageJson, path.join(dir, 'package.json'));
    return dir;
  }
  const lock = JSON.parse(fs.readFileSync(lockfile, 'utf8'));
  const rootEntry = lock.packages?.[''] ?? {};
  const manifest: Record<string, unknown> = {
    name: rootEntry.name ?? lock.name ?? 'root',
    version: rootEntry.version ?? lock.version ?? '0.0.0',
  };
  const copied = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies',
    'workspaces'];
  for (const key of copied) {
    if (rootEntry[key]) manifest[key] = rootEntry[key];
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

async function compareWithArborist(dir: string, label: string): Promise<Dependency[]> {
  const Arborist = loadArborist();
  const text = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  const ours = parsePackageLock(text, { path: path.join(dir, 'package-lock.json') });
  assert.equal(ours.ok, true, `${label}: parsed`);
  const serious = ours.problems.filter((p) => p.severity === 'error' || p.severity === 'warning');
  assert.deepEqual(serious, [], label);

  const tree = await new Arborist({ path: dir }).loadVirtual();
  const theirs = [...tree.inventory.values()].filter((n) => !n.isRoot);
  const byLocation = new Map(ours.dependencies.map((d) => [d.details?.path, d]));
  assert.equal(byLocation.size, ours.dependencies.length, `${label}: one entry per location`);

  const outside = theirs.filter((n) => n.location.startsWith('../'));
  for (const node of outside) {
    const linked = theirs.some((n) => n.isLink && n.target === node);
    assert.ok(linked, `${label}: ${node.location} is a link target`);
  }
  for (const node of theirs) {
    if (outside.includes(node)) continue;
    const mine = byLocation.get(node.location);
    assert.ok(mine, `${label}: arborist has ${node.location}, deptrust does not`);
    if (node.isLink) {
      assert.equal(mine.source, 'link', `${label}: ${node.location} is a link`);
      assert.equal(mine.version, null);
      const target = node.target?.location ?? '\0';
      assert.ok(mine.hint?.includes(target), `${label}: ${node.location} names its target`);
      continue;
    }
    assert.equal(mine.name, node.packageName, `${label}: name at ${node.location}`);
    assert.equal(mine.version, node.version || null, `${label}: version at ${node.location}`);
    if (node.integrity) {
      assert.equal(mine.checksums.join(' '), node.integrity, `${label}: integrity at ${node.location}`);
    }
  }
  assert.equal(ours.dependencies.length, theirs.length - outside.length, `${label}: entry count`);
  return ours.dependencies;
}

const corpus = fs.readdirSync(sharedPath('corpus', 'npm')).sort();

for (const name of corpus) {
  test(`arborist agrees on corpus npm/${name}`, async () => {
    await compareWithArborist(folderFor(sharedPath('corpus', 'npm', name)), name);
  });
}

// The fixtures that are meant as valid lockfiles (the others hold mistakes on purpose).
const validFixtures = ['v3-aliases-scoped.json', 'v1-nested-specifiers.json', 'v2-both-sections.json',
  'git-and-tarballs.json'];
for (const name of validFixtures) {
  test(`arborist agrees on fixture ${name}`, async () => {
    await compareWithArborist(folderFor(path.join(__dirname, 'fixtures', 'npm', name)), name);
  });
}

test('an empty link target: arborist links the root, deptrust skips the entry', async () => {
  const Arborist = loadArborist();
  const dir = folderFor(path.join(__dirname, 'fixtures', 'npm', 'link-empty-resolved.json'));
  const tree = await new Arborist({ path: dir }).loadVirtual();
  const broken = tree.inventory.get('node_modules/broken-link');
  assert.ok(broken?.isLink);
  assert.equal(broken.target?.location, '', 'the link target is the root itself');

  const text = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  const ours = parsePackageLock(text, { path: path.join(dir, 'package-lock.json') });
  assert.equal(ours.dependencies.some((d) => d.details?.path === 'node_modules/broken-link'), false);
  assert.deepEqual(ours.problems.map((p) => p.code), ['NPM_LINK_WITHOUT_TARGET']);
});

test('arborist agrees on the bench lockfiles', async () => {
  const bench = sharedPath('bench', 'npm');
  const lockfiles = fs.readdirSync(bench).filter((f) => f.endsWith('package-lock.json')).sort();
  assert.deepEqual(lockfiles, ['package-lock.json', 'vscode-js-debug.package-lock.json']);
  const big = await compareWithArborist(
    folderFor(path.join(bench, 'package-lock.json'), path.join(bench, 'package.json')),
    'bench package-lock.json',
  );
  assert.equal(big.length, 2314);
  const jsDebug = await compareWithArborist(
    folderFor(path.join(bench, 'vscode-js-debug.package-lock.json')),
    'vscode-js-debug',
  );
  assert.equal(jsDebug.length, 1398);
});

test('arborist agrees on a lockfile written by real npm, with an alias and nested duplicates', async () => {
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  assert.equal(npm.status, 0, 'npm must be on PATH for this test (it comes with Node.js 20)');

  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'deptrust-differential',
    version: '1.0.0',
    private: true,
    dependencies: {
      '@types/ms': '0.7.34',
      debug: '2.6.9',
      ms: '2.1.3',
      'string-width': '5.1.2',
      sw: 'npm:string-width@4.2.0',
    },
  }, null, 2));
  const install = spawnSync('npm', [
    'install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund',
    '--omit-lockfile-registry-resolved=false', '--cache', path.join(REPO, '.cache', 'npm'),
  ], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(install.status, 0,
    `npm install --package-lock-only failed (it needs the npm registry): ${install.stderr}`);

  const ours = await compareWithArborist(dir, 'npm install');
  const at = (location: string) => ours.find((d) => d.details?.path === location);
  assert.equal(at('node_modules/sw')?.name, 'string-width');
  assert.equal(at('node_modules/sw')?.version, '4.2.0');
  assert.equal(at('node_modules/sw')?.purl, 'pkg:npm/string-width@4.2.0');
  assert.equal(at('node_modules/debug/node_modules/ms')?.version, '2.0.0');
  assert.equal(at('node_modules/ms')?.version, '2.1.3');
  assert.equal(at('node_modules/@types/ms')?.purl, 'pkg:npm/%40types/ms@0.7.34');
  const nested = ours.filter((d) => d.details?.path?.startsWith('node_modules/sw/node_modules/'));
  assert.ok(nested.length >= 2, 'string-width 4 brings nested duplicates of its dependencies');
  for (const d of ours) {
    assert.equal(d.source, 'registry');
    assert.match(d.checksum ?? '', /^sha512-/);
  }
});
