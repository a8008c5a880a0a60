// Differential test: a go.sum written at test time by the real go command (`go mod tidy` over
// the Go module proxy) against the go.sum parser, checked line by line against the file and
// module by module against `go list -m -json all`.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { parseGoSum } from '../../server/src/parsers/gosum/goSum';

const REPO = path.resolve(__dirname, '..', '..');
const CACHE = path.join(REPO, '.cache', 'go');

// Module downloads are cached under the repository's .cache/ (git-ignored) between runs.
const GO_ENV = {
  ...process.env,
  GOFLAGS: '-mod=mod',
  GOMODCACHE: path.join(CACHE, 'mod'),
  GOCACHE: path.join(CACHE, 'build'),
  GOPATH: path.join(CACHE, 'path'),
  GOTOOLCHAIN: 'local',
};

const temps: string[] = [];
after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function go(args: string[], cwd: string): string {
  const run = spawnSync('go', args, { cwd, env: GO_ENV, encoding: 'utf8', timeout: 240_000 });
  if (run.error) {
    throw new Error('the go command is needed for this test: install Go 1.21 or later '
      + `(${run.error.message})`);
  }
  assert.equal(run.status, 0, `go ${args.join(' ')} failed (it needs the Go module proxy): ${run.stderr}`);
  return run.stdout;
}

interface ListedModule {
  Path: string;
  Version?: string;
  Main?: boolean;
  Sum?: string;
  GoModSum?: string;
}

/** `go list -m -json` prints one JSON object after another. */
function readListing(text: string): ListedModule[] {
  return JSON.parse(`[${text.trim().replace(/\}\s*\{/g, '},{')}]`) as ListedModule[];
}

test('go mod tidy writes a go.sum the parser reads exactly as the go command does', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-gosum-'));
  temps.push(dir);
  fs.writeFileSync(path.join(dir, 'go.mod'), [
    'module example.com/deptrustdiff',
    '',
    'go 1.22',
    '',
    'require (',
    '\tgithub.com/google/uuid v1.6.0',
    '\tgithub.com/stretchr/testify v1.7.0',
    '\tgolang.org/x/text v0.14.0',
    ')',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'main.go'), [
    'package main',
    '',
    'import (',
    '\t"fmt"',
    '',
    '\t"github.com/google/uuid"',
    '\t"github.com/stretchr/testify/assert"',
    '\t"golang.org/x/text/language"',
    ')',
    '',
    'func main() { fmt.Println(uuid.NewString(), assert.ObjectsAreEqual(1, 1), language.English) }',
    '',
  ].join('\n'));

  go(['mod', 'tidy'], dir);
  assert.match(go(['mod', 'verify'], dir), /all modules verified/);

  const text = fs.readFileSync(path.join(dir, 'go.sum'), 'utf8');
  const result = parseGoSum(text, { path: path.join(dir, 'go.sum') });
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);

  // Line by line: one entry per line, fields as the file writes them.
  const lines = text.split('\n').filter((l) => l.trim());
  assert.ok(lines.length >= 10, `a real go.sum (${lines.length} lines)`);
  assert.equal(result.dependencies.length, lines.length);
  lines.forEach((line, i) => {
    const [module, version, hash] = line.split(' ');
    const d = result.dependencies[i];
    assert.equal(d.range.start.line, i);
    assert.equal(d.range.end.character, line.length);
    assert.deepEqual(
      [d.name, d.version, d.checksumOf, d.checksum],
      [module, version.replace(/\/go\.mod$/, ''), version.endsWith('/go.mod') ? 'go.mod' : 'zip', hash],
    );
  });

  // Module by module: the hashes the go command holds for each selected version.
  const listed = readListing(go(['list', '-m', '-json', 'all'], dir)).filter((m) => !m.Main);
  const find = (p: string, v: string | undefined, kind: 'zip' | 'go.mod') =>
    result.dependencies.find((d) => d.name === p && d.version === v && d.checksumOf === kind);
  let compared = 0;
  for (const m of listed) {
    if (m.Sum) {
      assert.equal(find(m.Path, m.Version, 'zip')?.checksum, m.Sum, `${m.Path}@${m.Version} zip`);
      assert.equal(find(m.Path, m.Version, 'zip')?.source, 'registry');
      compared++;
    }
    if (m.GoModSum) {
      assert.equal(find(m.Path, m.Version, 'go.mod')?.checksum, m.GoModSum, `${m.Path}@${m.Version} go.mod`);
      compared++;
    }
    // A version the go command holds no zip hash for is never downloaded: source gomod.
    const goModOnly = find(m.Path, m.Version, 'go.mod');
    if (goModOnly && !find(m.Path, m.Version, 'zip')) {
      assert.equal(goModOnly.source, 'gomod', `${m.Path}@${m.Version}`);
      assert.equal(m.Sum, undefined, `${m.Path}@${m.Version}: the go command has no zip hash either`);
    }
  }
  assert.ok(compared >= 10, `compared ${compared} hashes with go list`);

  const gomod = result.dependencies.filter((d) => d.source === 'gomod').map((d) => `${d.name}@${d.version}`);
  assert.ok(gomod.includes('github.com/stretchr/objx@v0.1.0'), `go.mod-only versions: ${gomod.join(', ')}`);
  for (const d of result.dependencies) {
    assert.equal(d.purl, `pkg:golang/${d.name}@${d.version}`);
  }
});
