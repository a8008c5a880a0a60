// Real git repositories in temp folders, lockfiles written as their tools write them, and the
// real CLI (bin/deptrust) run as a child process with its own identity and ledger.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createIdentity, type Identity } from '../../server/src/identity/identity';
import { CLI, tempHome } from '../helpers/lspClient';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A deterministic digest for a name, so that tests can tell two checksums apart. */
export function digest(
  seed: string,
  encoding: 'hex' | 'base64' = 'base64',
  algorithm = 'sha512',
): string {
  return crypto.createHash(algorithm).update(seed).digest(encoding);
}

export interface Pin {
  name: string;
  version: string;
  /** Changes the checksum while the version stays: a re-pin. */
  salt?: string;
}

/** package-lock.json v3, as npm 7+ writes it. */
export function packageLock(pins: Pin[]): string {
  const packages: Record<string, unknown> = {
    '': {
      name: 'app',
      version: '1.0.0',
      dependencies: Object.fromEntries(pins.map((p) => [p.name, p.version])),
    },
  };
  for (const p of pins) {
    packages[`node_modules/${p.name}`] = {
      version: p.version,
      resolved: `https://registry.npmjs.org/${p.name}/-/${p.name}-${p.version}.tgz`,
      integrity: `sha512-${digest(`${p.name}@${p.version}${p.salt ?? ''}`)}`,
    };
  }
  return (
    JSON.stringify(
      { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
      null,
      2,
    ) + '\n'
  );
}

/** go.sum (versions get their `v`) with a zip and a go.mod line per module version, as `go mod tidy` writes them. */
export function goSum(pins: Pin[]): string {
  const h1 = (s: string) => `h1:${digest(s, 'base64', 'sha256')}`;
  return (
    pins
      .flatMap((p) => [
        `example.com/${p.name} v${p.version} ${h1(`${p.name}@${p.version}${p.salt ?? ''}`)}`,
        `example.com/${p.name} v${p.version}/go.mod ${h1(`${p.name}@${p.version}/go.mod`)}`,
      ])
      .join('\n') + '\n'
  );
}

/** Gemfile.lock with a CHECKSUMS section, as Bundler 2.5+ writes it. */
export function gemfileLock(pins: Pin[]): string {
  const specs = pins.map((p) => `    ${p.name} (${p.version})`).join('\n');
  const deps = pins.map((p) => `  ${p.name}`).join('\n');
  const sums = pins
    .map(
      (p) =>
        `  ${p.name} (${p.version}) sha256=${digest(`${p.name}@${p.version}${p.salt ?? ''}`, 'hex', 'sha256')}`,
    )
    .join('\n');
  return `GEM\n  remote: https://rubygems.org/\n  specs:\n${specs}\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n${deps}\n\nCHECKSUMS\n${sums}\n\nBUNDLED WITH\n   2.5.22\n`;
}

/** A pom.xml pinning each dependency's version (group `org.example`). */
export function pom(pins: Pin[]): string {
  const deps = pins
    .map(
      (p) =>
        `    <dependency>\n      <groupId>org.example</groupId>\n      <artifactId>${p.name}</artifactId>\n      <version>${p.version}</version>\n    </dependency>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>org.example</groupId>\n  <artifactId>app</artifactId>\n  <version>1.0.0</version>\n  <dependencies>\n${deps}\n  </dependencies>\n</project>\n`;
}

export const FORMATS = [
  { format: 'package-lock', file: 'package-lock.json', write: packageLock, checksums: true },
  { format: 'go-sum', file: 'go.sum', write: goSum, checksums: true },
  { format: 'gemfile-lock', file: 'Gemfile.lock', write: gemfileLock, checksums: true },
  // LIMITATION: a pom.xml pins versions but no checksums, so a re-pin cannot be written there.
  { format: 'pom', file: 'pom.xml', write: pom, checksums: false },
] as const;

/** A git repository in a temp folder, with deptrust's own identity, ledger and home. */
export class Sandbox {
  readonly home = tempHome();
  readonly repo = path.join(this.home, 'repo');
  readonly env: NodeJS.ProcessEnv;
  readonly identity: Identity;

  constructor(actor = 'reviewer') {
    fs.mkdirSync(this.repo);
    this.identity = createIdentity(actor, { path: path.join(this.home, 'identity.json') });
    this.env = {
      ...process.env,
      DEPTRUST_HOME: this.home,
      DEPTRUST_LEDGER: path.join(this.home, 'ledger'),
      DEPTRUST_IDENTITY: path.join(this.home, 'identity.json'),
      NO_COLOR: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    delete this.env.GIT_DIR;
    delete this.env.GIT_INDEX_FILE;
    this.git('init', '-q', '-b', 'main');
  }

  run(command: string, args: string[], options: SpawnSyncOptions = {}): Run {
    const r = spawnSync(command, args, {
      cwd: this.repo,
      env: this.env,
      encoding: 'utf8',
      ...options,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** Runs git and fails the test unless it succeeds. */
  git(...args: string[]): string {
    const r = this.run('git', args);
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  deptrust(...args: string[]): Run {
    return this.run(process.execPath, [CLI, ...args]);
  }

  write(rel: string, text: string): void {
    const file = path.join(this.repo, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }

  commit(message: string, ...files: string[]): void {
    this.git('add', '--', ...files);
    this.git('commit', '-q', '--no-verify', '-m', message);
  }

  /** Notarizes every entry of a lockfile as it is on disk now, through the CLI. */
  trustAll(rel: string): void {
    const check = this.deptrust('check', '--format', 'json', rel);
    if (check.status !== 0 && check.status !== 1) throw new Error(`check failed: ${check.stderr}`);
    const deps = JSON.parse(check.stdout).files[0].dependencies as Array<{
      range: { start: { line: number } };
    }>;
    const targets = deps.map((d) => `${rel}:${d.range.start.line + 1}`);
    const r = this.deptrust('notarize', ...targets);
    if (r.status !== 0) throw new Error(`notarize failed: ${r.stderr}`);
  }

  /** `deptrust review ... --format json`, parsed; the exit status beside it. */
  reviewJson(...args: string[]): { status: number | null; review: ReviewJson; stderr: string } {
    const r = this.deptrust('review', ...args, '--format', 'json');
    let review: ReviewJson;
    try {
      review = JSON.parse(r.stdout);
    } catch {
      throw new Error(`review printed no JSON (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
    }
    return { status: r.status, review, stderr: r.stderr };
  }

  remove(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

export interface ChangeJson {
  kind: 'added' | 'changed' | 'removed';
  name: string;
  ecosystem: string;
  verdict: string;
  summary: string;
  blocks: boolean;
  before?: EntryJson;
  after?: EntryJson;
}

export interface EntryJson {
  version: string | null;
  checksum: string | null;
  checksumOf?: 'zip' | 'go.mod';
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface ReviewJson {
  repository: string;
  base: { label: string; commit: string | null };
  merging?: string;
  blocked: boolean;
  problems: Array<{ code: string; message: string }>;
  policyChanges: string[];
  lockfiles: Array<{
    relativePath: string;
    format: string;
    ecosystem: string;
    changes: ChangeJson[];
    policy: { deciders: string[] };
  }>;
}

function plain(version: string | null | undefined): string {
  return version ? version.replace(/^v/, '') : '-';
}

/** `kind name before→after verdict`, one line per change, sorted: easy to compare whole. */
export function digestChanges(changes: ChangeJson[]): string[] {
  return changes
    .map(
      (c) =>
        `${c.kind} ${c.name} ${plain(c.before?.version)}→${plain(c.after?.version)} ${c.verdict}${c.blocks ? ' blocks' : ''}`,
    )
    .sort();
}
