// Writes synthetic but realistic lockfiles of 10,000 and 50,000 packages for each format into
// .cache/bench/ (git-ignored). Names come from the real files in /work/shared/bench, varied
// with common suffixes; versions, checksums and structure follow what each package manager
// writes (npm 11 lockfileVersion 3, go.sum with go.mod lines and pseudo-versions, Bundler 2
// Gemfile.lock with platform gems, a BOM-style pom.xml with version properties). Output is
// the same for the same seed, so runs on different days compare.
//   node --import tsx bench/generate.ts [--force]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, SHARED_BENCH, requireShared } from './inputs';
import { precedes } from '../server/src/parsers/gosum/scan';

/** Bumped when the output changes, so stale files in .cache/bench/ are rewritten. */
const GENERATOR_VERSION = 7;
export const GENERATED_SIZES = [10_000, 50_000] as const;

const SUFFIXES = [
  'core',
  'utils',
  'plugin',
  'loader',
  'parser',
  'cli',
  'types',
  'config',
  'compat',
  'lite',
  'runtime',
  'helpers',
  'server',
  'client',
  'adapter',
  'tools',
  'legacy',
  'extra',
  'native',
  'async',
];

/** mulberry32: a small seeded PRNG; Math.random cannot be seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, n: number): number => Math.floor(r() * n);

function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

function semver(r: Rand): string {
  const major = r() < 0.3 ? 0 : int(r, 12);
  return `${major}.${int(r, 30)}.${int(r, 20)}`;
}

/** `count` distinct names: the real ones first, then each with a suffix, then numbered. */
function expandNames(
  base: string[],
  count: number,
  join: (name: string, suffix: string) => string,
): string[] {
  const out = new Set<string>(base.slice(0, count));
  for (let round = 0; out.size < count; round++) {
    const suffix =
      SUFFIXES[round % SUFFIXES.length] + (round >= SUFFIXES.length ? String(round) : '');
    for (const name of base) {
      if (out.size >= count) break;
      out.add(join(name, suffix));
    }
  }
  return [...out];
}

function uniqueSorted(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

// ---- package-lock.json ----

function npmBaseNames(): string[] {
  const names: string[] = [];
  for (const file of ['npm/package-lock.json', 'npm/vscode-js-debug.package-lock.json']) {
    const lock = JSON.parse(fs.readFileSync(requireShared(file), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    for (const key of Object.keys(lock.packages)) {
      const i = key.lastIndexOf('node_modules/');
      if (i >= 0) names.push(key.slice(i + 'node_modules/'.length));
    }
  }
  return uniqueSorted(names);
}

interface NpmEntry {
  version: string;
  resolved: string;
  integrity: string;
  dev?: boolean;
  optional?: boolean;
  license: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  funding?: { url: string };
}

/**
 * One entry. Its dependencies name hoisted packages with a range their hoisted version
 * satisfies, as in a lockfile npm wrote: every edge resolves, none is invalid.
 */
function npmEntry(
  r: Rand,
  name: string,
  version: string,
  hoisted: ReadonlyArray<[string, string]>,
): NpmEntry {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  const entry: NpmEntry = {
    version,
    resolved: `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`,
    integrity: `sha512-${randomBytes(r, 64).toString('base64')}`,
    license: pick(r, ['MIT', 'MIT', 'MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause']),
  };
  if (r() < 0.3) entry.dev = true;
  else if (r() < 0.03) entry.optional = true;
  const deps = r() < 0.4 ? 0 : 1 + int(r, 5);
  if (deps) {
    entry.dependencies = {};
    for (let i = 0; i < deps; i++) {
      const [dep, depVersion] = pick(r, hoisted);
      if (dep !== name) entry.dependencies[dep] = r() < 0.8 ? `^${depVersion}` : depVersion;
    }
  }
  if (r() < 0.05) entry.bin = { [base]: 'bin/cli.js' };
  if (r() < 0.35)
    entry.engines = { node: pick(r, ['>=10', '>=12', '>=14.0.0', '^18.17.0 || >=20.5.0']) };
  if (r() < 0.1) entry.funding = { url: `https://github.com/sponsors/${base}` };
  return entry;
}

/**
 * npm nests a package under its dependant when the hoisted copy has another version; about
 * one entry in six is such a copy here, a few of them two levels deep.
 */
export function generatePackageLock(n: number, seed = 1): { lock: string; manifest: string } {
  const r = rng(seed);
  const names = expandNames(npmBaseNames(), Math.round(n * 0.85), (name, s) => `${name}-${s}`);
  const hoisted: Array<[string, string]> = names.map((name) => [name, semver(r)]);
  const packages: Record<string, NpmEntry | Record<string, unknown>> = {};
  const topPaths: string[] = [];
  for (const [name, version] of hoisted) {
    const p = `node_modules/${name}`;
    packages[p] = npmEntry(r, name, version, hoisted);
    topPaths.push(p);
  }
  // A nested copy: its dependant asks for a version the hoisted copy does not satisfy.
  const nest = (under: string, name: string): string | undefined => {
    const p = `${under}/node_modules/${name}`;
    if (packages[p] || under.endsWith(`node_modules/${name}`)) return undefined;
    const version = `${100 + int(r, 50)}.${int(r, 10)}.${int(r, 10)}`;
    packages[p] = npmEntry(r, name, version, hoisted);
    const parent = packages[under] as NpmEntry;
    parent.dependencies = { ...parent.dependencies, [name]: `^${version}` };
    return p;
  };
  for (let made = hoisted.length; made < n;) {
    const p = nest(pick(r, topPaths), pick(r, names));
    if (!p) continue;
    made++;
    if (r() < 0.1 && made < n && nest(p, pick(r, names))) made++;
  }
  const dependencies: Record<string, string> = {};
  const devDependencies: Record<string, string> = {};
  for (const name of names.slice(0, 60)) {
    const entry = packages[`node_modules/${name}`] as NpmEntry;
    (entry.dev ? devDependencies : dependencies)[name] = `^${entry.version}`;
  }
  const root = {
    name: `bench-app-${n}`,
    version: '1.0.0',
    license: 'MIT',
    dependencies,
    devDependencies,
  };
  const sorted: Record<string, unknown> = { '': root };
  for (const key of Object.keys(packages).sort((a, b) => a.localeCompare(b, 'en')))
    sorted[key] = packages[key];
  const lock = {
    name: root.name,
    version: root.version,
    lockfileVersion: 3,
    requires: true,
    packages: sorted,
  };
  const manifest = {
    name: root.name,
    version: root.version,
    license: 'MIT',
    dependencies,
    devDependencies,
  };
  return {
    lock: `${JSON.stringify(lock, null, 2)}\n`,
    manifest: `${JSON.stringify(manifest, null, 2)}\n`,
  };
}

// ---- go.sum ----

function goBaseModules(): string[] {
  const mods: string[] = [];
  for (const file of ['go/kubernetes.go.sum', 'go/terraform.go.sum']) {
    for (const line of fs.readFileSync(requireShared(file), 'utf8').split('\n')) {
      const m = line.split(' ')[0];
      if (m) mods.push(m);
    }
  }
  return uniqueSorted(mods);
}

function goVersion(r: Rand): string {
  const x = r();
  if (x < 0.15) {
    const two = (k: number): string => String(k).padStart(2, '0');
    const stamp = `20${two(18 + int(r, 8))}${two(1 + int(r, 12))}${two(1 + int(r, 28))}`;
    const time = `${two(int(r, 24))}${two(int(r, 60))}${two(int(r, 60))}`;
    return `v0.0.0-${stamp}${time}-${randomBytes(r, 6).toString('hex')}`;
  }
  const v = `v${semver(r)}`;
  return x < 0.2 ? `${v}+incompatible` : v;
}

const h1 = (r: Rand): string => `h1:${randomBytes(r, 32).toString('base64')}`;

/** `n` module versions; most have both the zip and the go.mod line, some only go.mod. */
export function generateGoSum(n: number, seed = 2): string {
  const r = rng(seed);
  const modules = expandNames(goBaseModules(), Math.ceil(n / 3), (m, s) => `${m}/${s}`);
  const lines: Array<[string, string, string]> = [];
  const seen = new Set<string>();
  while (seen.size < n) {
    const mod = pick(r, modules);
    const version = goVersion(r);
    if (seen.has(`${mod} ${version}`)) continue;
    seen.add(`${mod} ${version}`);
    if (r() < 0.7) lines.push([mod, version, `${mod} ${version} ${h1(r)}`]);
    lines.push([mod, `${version}/go.mod`, `${mod} ${version}/go.mod ${h1(r)}`]);
  }
  lines.sort(goSumOrder);
  return `${lines.map((l) => l[2]).join('\n')}\n`;
}

/**
 * The order the go command writes go.sum in (golang.org/x/mod/module.Sort): by module path,
 * then by version in semver precedence, then `/go.mod` after the zip line of its version.
 */
function goSumOrder(a: [string, string, string], b: [string, string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  const [av, af = ''] = a[1].split('/');
  const [bv, bf = ''] = b[1].split('/');
  if (av !== bv) {
    if (precedes(av, bv)) return -1;
    if (precedes(bv, av)) return 1;
  }
  if (af !== bf) return af < bf ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

// ---- Gemfile.lock ----

function gemBaseNames(): string[] {
  const names: string[] = [];
  for (const file of ['rubygems/gitlabhq.Gemfile.lock', 'rubygems/discourse.Gemfile.lock']) {
    for (const m of fs
      .readFileSync(requireShared(file), 'utf8')
      .matchAll(/^ {4}([A-Za-z0-9_.-]+) \(/gm)) {
      names.push(m[1]);
    }
  }
  return uniqueSorted(names);
}

const PLATFORMS = ['arm64-darwin', 'x86_64-darwin', 'x86_64-linux', 'aarch64-linux'];

/** One GEM section of `n` specs, about 3% of them platform gems in four builds each. */
export function generateGemfileLock(n: number, seed = 3): string {
  const r = rng(seed);
  const names = expandNames(gemBaseNames(), n, (g, s) => `${g}-${s}`).sort();
  const specs: string[] = [];
  let count = 0;
  for (const name of names) {
    if (count >= n) break;
    const version = r() < 0.1 ? `${semver(r)}.${int(r, 5)}` : semver(r);
    const deps: string[] = [];
    const depCount = r() < 0.5 ? 0 : 1 + int(r, 4);
    for (let i = 0; i < depCount; i++) {
      const dep = pick(r, names);
      const req = pick(r, [
        '',
        ` (~> ${semver(r).replace(/\.\d+$/, '')})`,
        ` (>= ${semver(r)})`,
        ` (= ${semver(r)})`,
      ]);
      deps.push(`      ${dep}${req}`);
    }
    const builds = r() < 0.03 ? PLATFORMS.map((p) => `${version}-${p}`) : [version];
    for (const v of builds) {
      specs.push(`    ${name} (${v})`, ...deps);
      count++;
    }
  }
  const direct = names.slice(0, 150).map((g) => `  ${g}`);
  return [
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    ...specs,
    '',
    'PLATFORMS',
    ...PLATFORMS.map((p) => `  ${p}`),
    '  ruby',
    '',
    'DEPENDENCIES',
    ...direct,
    '',
    'BUNDLED WITH',
    '   2.3.15',
    '',
  ].join('\n');
}

// ---- pom.xml ----

function mavenBaseCoordinates(): Array<[string, string]> {
  const coords: Array<[string, string]> = [];
  for (const file of ['maven/netty.pom.xml', 'maven/dubbo-dependencies-bom.pom.xml']) {
    const text = fs.readFileSync(requireShared(file), 'utf8');
    for (const m of text.matchAll(
      /<groupId>([^<$]+)<\/groupId>\s*<artifactId>([^<$]+)<\/artifactId>/g,
    )) {
      coords.push([m[1].trim(), m[2].trim()]);
    }
  }
  const seen = new Set<string>();
  // Exclusions use `*`; only real coordinates are kept.
  const real = coords.filter(([g, a]) => /^[\w.-]+$/.test(g) && /^[\w.-]+$/.test(a));
  return real.filter(([g, a]) => !seen.has(`${g}:${a}`) && seen.add(`${g}:${a}`));
}

/** A bill of materials: `n` managed dependencies, one version property per five of them. */
export function generatePom(n: number, seed = 4): string {
  const r = rng(seed);
  const base = mavenBaseCoordinates();
  const keys = expandNames(
    base.map(([g, a]) => `${g}:${a}`),
    n,
    (c, s) => `${c}-${s}`,
  );
  const properties: string[] = [];
  const propertyNames = new Set<string>();
  const managed: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const [groupId, artifactId] = keys[i].split(':');
    const version = r() < 0.1 ? `${semver(r)}.Final` : semver(r);
    let versionText = version;
    if (i % 5 === 0) {
      let prop = `${artifactId}.version`;
      if (propertyNames.has(prop)) prop = `${groupId}.${artifactId}.version`;
      propertyNames.add(prop);
      properties.push(`    <${prop}>${version}</${prop}>`);
      versionText = `\${${prop}}`;
    }
    const scope =
      r() < 0.1 ? `\n        <scope>${pick(r, ['test', 'provided', 'runtime'])}</scope>` : '';
    managed.push(
      [
        '      <dependency>',
        `        <groupId>${groupId}</groupId>`,
        `        <artifactId>${artifactId}</artifactId>`,
        `        <version>${versionText}</version>${scope}`,
        '      </dependency>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0"',
    '         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    '         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 ' +
      'https://maven.apache.org/xsd/maven-4.0.0.xsd">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>org.example.bench</groupId>',
    `  <artifactId>bench-bom-${n}</artifactId>`,
    '  <version>1.0.0</version>',
    '  <packaging>pom</packaging>',
    '  <properties>',
    ...properties,
    '  </properties>',
    '  <dependencyManagement>',
    '    <dependencies>',
    ...managed,
    '    </dependencies>',
    '  </dependencyManagement>',
    '</project>',
    '',
  ].join('\n');
}

// ---- files ----

export interface GeneratedFile {
  format: 'package-lock' | 'go-sum' | 'gemfile-lock' | 'pom';
  size: number;
  /** The lockfile; for npm its folder also holds a package.json, for Bundler a Gemfile. */
  file: string;
}

export function generatedPath(format: GeneratedFile['format'], size: number): string {
  const dir = path.join(CACHE_DIR, `${format}-${size}`);
  const name = {
    'package-lock': 'package-lock.json',
    'go-sum': 'go.sum',
    'gemfile-lock': 'Gemfile.lock',
    pom: 'pom.xml',
  }[format];
  return path.join(dir, name);
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Writes every generated file that is missing or from an older generator; returns them all. */
export function generateAll(force = false): GeneratedFile[] {
  const stamp = path.join(CACHE_DIR, 'GENERATOR');
  const fresh =
    !force &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8').trim() === String(GENERATOR_VERSION);
  const out: GeneratedFile[] = [];
  for (const size of GENERATED_SIZES) {
    for (const format of ['package-lock', 'go-sum', 'gemfile-lock', 'pom'] as const) {
      const file = generatedPath(format, size);
      out.push({ format, size, file });
      if (fresh && fs.existsSync(file)) continue;
      if (format === 'package-lock') {
        const { lock, manifest } = generatePackageLock(size);
        write(file, lock);
        write(path.join(path.dirname(file), 'package.json'), manifest);
      } else if (format === 'go-sum') {
        write(file, generateGoSum(size));
      } else if (format === 'gemfile-lock') {
        write(file, generateGemfileLock(size));
        write(path.join(path.dirname(file), 'Gemfile'), "source 'https://rubygems.org'\n");
      } else {
        write(file, generatePom(size));
      }
    }
  }
  fs.writeFileSync(stamp, `${GENERATOR_VERSION}\n`);
  return out;
}

if (require.main === module) {
  if (!fs.existsSync(SHARED_BENCH)) requireShared('MANIFEST.md');
  for (const g of generateAll(process.argv.includes('--force'))) {
    process.stdout.write(`${g.file}  ${(fs.statSync(g.file).size / 1e6).toFixed(1)} MB\n`);
  }
}
