// Hostile lockfiles through the real CLI (`node bin/deptrust`, built by `npm run build`): XML
// entity expansion and external entities, a lockfile of a million entries and over 200 MB, and
// names made to break terminals.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { parseLockfile } from '../../server/src/parsers';
import { cliEnv, MiB, recordFigure, runMeasured, tempDir } from './helpers';

const HASH = 'h1:' + 'A'.repeat(43) + '=';
const INTEGRITY = 'sha512-' + 'A'.repeat(86) + '==';

/** Characters a terminal acts on: C0 controls but tab and newline, DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function pomWithDoctype(doctype: string, body = ''): string {
  return (
    '<?xml version="1.0"?>\n' +
    doctype +
    '\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n' +
    '  <modelVersion>4.0.0</modelVersion>\n' +
    '  <groupId>org.example</groupId><artifactId>app</artifactId><version>1</version>\n' +
    body +
    '  <dependencies>\n' +
    '    <dependency><groupId>org.example</groupId><artifactId>lib</artifactId>' +
    '<version>&lol9;</version></dependency>\n' +
    '  </dependencies>\n</project>\n'
  );
}

function billionLaughs(): string {
  const lines = ['<!DOCTYPE project [', '  <!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) {
    const prev = i === 1 ? 'lol' : `lol${i - 1}`;
    lines.push(`  <!ENTITY lol${i} "${`&${prev};`.repeat(10)}">`);
  }
  lines.push(']>');
  return lines.join('\n');
}

describe('hostile XML: entity expansion and external entities', () => {
  let server: http.Server;
  let port = 0;
  let requests: string[] = [];
  let connections = 0;
  let work: { dir: string; remove: () => void };

  before(async () => {
    work = tempDir('xml');
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('<!ENTITY lol9 "fetched">');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    work.remove();
  });

  const cases = (): Array<[string, string]> => [
    ['billion laughs', pomWithDoctype(billionLaughs())],
    [
      'external entity over http',
      pomWithDoctype(`<!DOCTYPE project [<!ENTITY lol9 SYSTEM "http://127.0.0.1:${port}/xxe">]>`),
    ],
    [
      'external entity from a file',
      pomWithDoctype('<!DOCTYPE project [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>'),
    ],
    [
      'parameter entity over http',
      pomWithDoctype(`<!DOCTYPE project [<!ENTITY % p SYSTEM "http://127.0.0.1:${port}/p"> %p;]>`),
    ],
  ];

  test('every entity declaration is refused with a positioned POM_ENTITY_DECLARATION, fast', () => {
    for (const [what, text] of cases()) {
      const started = performance.now();
      const r = parseLockfile('pom', text, {
        path: path.join(work.dir, 'pom.xml'),
        readFile: () => undefined,
      });
      const ms = performance.now() - started;
      assert.ok(ms < 500, `${what}: ${ms.toFixed(0)} ms`);
      assert.equal(r.ok, false, what);
      const problem = r.problems.find((p) => p.code === 'POM_ENTITY_DECLARATION');
      assert.ok(problem, `${what}: ${JSON.stringify(r.problems)}`);
      assert.equal(problem.range.start.line, 1, `${what}: the problem is on the DOCTYPE`);
      assert.ok(!JSON.stringify(r).includes('root:'), `${what}: /etc/passwd content leaked`);
      assert.ok(!JSON.stringify(r).includes('lollol'), `${what}: an entity was expanded`);
    }
  });

  test('the CLI refuses them with exit 2 and fetches nothing, DTDs and parent URLs included', async () => {
    const extra: Array<[string, string]> = [
      // No entity declared: the external DTD is not ours to read, and must not be fetched.
      [
        'external DTD',
        pomWithDoctype(`<!DOCTYPE project SYSTEM "http://127.0.0.1:${port}/dtd">`).replace(
          '&lol9;',
          '1.0',
        ),
      ],
      [
        'parent and repository by URL',
        pomWithDoctype(
          '',
          `  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1</version>` +
            `<relativePath>http://127.0.0.1:${port}/pom.xml</relativePath></parent>\n` +
            `  <repositories><repository><id>r</id><url>http://127.0.0.1:${port}/repo</url>` +
            `</repository></repositories>\n`,
        ).replace('&lol9;', '1.0'),
      ],
    ];
    requests = [];
    connections = 0;
    const home = path.join(work.dir, 'home');
    for (const [what, text] of [...cases(), ...extra]) {
      const dir = fs.mkdtempSync(path.join(work.dir, 'case-'));
      fs.writeFileSync(path.join(dir, 'pom.xml'), text);
      const r = await runMeasured(['check', path.join(dir, 'pom.xml')], cliEnv(home));
      if (what.includes('entity') || what === 'billion laughs') {
        assert.equal(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /pom\.xml:2:\d+: error: .*POM_ENTITY_DECLARATION/, what);
      } else {
        assert.ok(r.status === 0 || r.status === 1, `${what}: exit ${r.status}: ${r.stderr}`);
        assert.doesNotMatch(r.stdout, /\btrusted\b/, what);
      }
      assert.ok(r.wallMs < 20_000, `${what}: ${r.wallMs} ms`);
    }
    assert.deepEqual(requests, [], 'no request may reach the network');
    assert.equal(connections, 0, 'no connection may be opened');
  });

  test('elements nested deeper than any POM are refused quickly (POM_XML_TOO_DEEP)', () => {
    const text = '<project>' + '<a>'.repeat(500_000) + '</a>'.repeat(500_000) + '</project>';
    const started = performance.now();
    const r = parseLockfile('pom', text, { path: '/x/pom.xml', readFile: () => undefined });
    assert.ok(performance.now() - started < 1000);
    assert.equal(r.ok, false);
    assert.equal(r.problems[0].code, 'POM_XML_TOO_DEEP');
  });
});

/** Writes a v3 package-lock of `count` registry entries in 1 MiB chunks; returns its size. */
function writeHugePackageLock(file: string, count: number): number {
  const fd = fs.openSync(file, 'w');
  let chunk =
    '{\n  "name": "huge",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n' +
    '  "packages": {\n    "": {\n      "name": "huge",\n      "version": "1.0.0"\n    }';
  for (let i = 0; i < count; i++) {
    const name = `p${i.toString(36)}`;
    const version = `1.${i % 7}.${i % 100}`;
    chunk +=
      `,\n    "node_modules/${name}": {\n      "version": "${version}",\n` +
      `      "resolved": "https://registry.npmjs.org/${name}/-/${name}-${version}.tgz",\n` +
      `      "integrity": "${INTEGRITY}"\n    }`;
    if (chunk.length >= MiB) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk + '\n  }\n}\n');
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

describe('a package-lock.json of a million entries and over 200 MB', () => {
  const ENTRIES = 1_000_000;
  let work: { dir: string; remove: () => void };
  let file = '';
  let size = 0;
  before(() => {
    work = tempDir('huge');
    file = path.join(work.dir, 'package-lock.json');
    size = writeHugePackageLock(file, ENTRIES);
  });
  after(() => work.remove());

  async function check(format: 'text' | 'json', onStdout?: (chunk: string) => void) {
    assert.ok(size >= 200 * MiB, `generated ${size} bytes`);
    const r = await runMeasured(
      ['check', '--format', format, file],
      cliEnv(path.join(work.dir, 'home')),
      4096,
      onStdout,
    );
    recordFigure(`huge-package-lock-${format}`, {
      entries: ENTRIES,
      fileMiB: +(size / MiB).toFixed(1),
      status: r.status,
      peakRssMiB: +(r.peakRss / MiB).toFixed(0),
      readMiB: +(r.bytesRead / MiB).toFixed(0),
      wallS: +(r.wallMs / 1000).toFixed(1),
    });
    // A crash (signal, out of memory) is neither a check nor a refusal.
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-500)}`);
    // Read from disk once: the file's bytes plus the program, never twice the file.
    assert.ok(r.bytesRead < size * 1.5, `read ${r.bytesRead} bytes of a ${size}-byte file`);
    // Bounded: a fixed multiple of the file at most, well under the machine's memory.
    assert.ok(r.peakRss < 24 * size, `peak RSS ${(r.peakRss / MiB).toFixed(0)} MiB`);
    return r;
  }

  test('deptrust check reads it once from disk and reports every entry, in bounded memory', async () => {
    const r = await check('text');
    assert.equal(r.status, 0, r.stderr.slice(-500));
    // The empty ledger trusts nothing: every entry is unknown, none trusted.
    assert.match(
      r.stdout,
      new RegExp(`${ENTRIES} dependencies: ${ENTRIES} unknown\\s*$`),
      r.stdout.slice(-300),
    );
  });

  // The JSON report once failed here with "Invalid string length": built as one string, it
  // passed V8's limit (2^29 characters). Run with DEPTRUST_RELIABILITY_LONG=1 (a minute or two).
  if (process.env.DEPTRUST_RELIABILITY_LONG === '1') {
    test('deptrust check --format json writes a verdict for each of a million entries', async () => {
      let unknown = 0;
      let tail = '';
      const r = await check('json', (chunk) => {
        // Counted across chunk boundaries: a match may be split between two chunks.
        const text = tail + chunk;
        unknown += (text.match(/"status": ?"unknown"/g) ?? []).length;
        const keep = text.slice(-20);
        unknown -= (keep.match(/"status": ?"unknown"/g) ?? []).length;
        tail = keep;
      });
      unknown += (tail.match(/"status": ?"unknown"/g) ?? []).length;
      assert.equal(r.status, 0, r.stderr.slice(-500));
      assert.equal(unknown, ENTRIES);
      assert.doesNotMatch(r.stdout, /"status": ?"trusted"/);
      assert.match(r.stdout, /"ledger":/);
    });
  }
});

describe('names made to break terminals, paths and purls', () => {
  let work: { dir: string; remove: () => void };
  before(() => (work = tempDir('names')));
  after(() => work.remove());

  const ESC = '\u001b';
  const OSC_TITLE = `${ESC}]0;pwned\u0007`;
  const names = [
    `${ESC}[31mred`,
    `${OSC_TITLE}title`,
    'evil\u202egnp.exe',
    'c1\u009b31m',
    'cr\rover',
    'bs\bx',
  ];
  const xmlSafe = ['evil\u202egnp.exe', 'c1\u009b31m', 'iso\u2066x\u2069'];

  function files(): Array<[string, string]> {
    const packages: Record<string, unknown> = { '': { name: 'root', version: '1.0.0' } };
    for (const n of names) {
      packages[`node_modules/${n}`] = {
        version: '1.0.0',
        resolved: 'https://registry.npmjs.org/x/-/x-1.0.0.tgz',
        integrity: INTEGRITY,
      };
    }
    const lineNames = names.filter((n) => !n.includes('\r'));
    return [
      [
        'package-lock.json',
        JSON.stringify({ name: 'root', lockfileVersion: 3, packages }, null, 2),
      ],
      [
        'go.sum',
        lineNames.map((n) => `example.com/${n} v1.0.0 ${HASH}\n`).join('') +
          `example.com/broken v1.${ESC}[2J0 ${HASH}\n`,
      ],
      [
        'Gemfile.lock',
        'GEM\n  remote: https://rubygems.org/\n  specs:\n' +
          lineNames.map((n) => `    ${n} (1.0.0)\n`).join('') +
          `    broken (1.${ESC}[2J)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n`,
      ],
      [
        'pom.xml',
        '<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>a</artifactId>' +
          '<version>1</version><dependencies>' +
          xmlSafe
            .map(
              (n) =>
                `<dependency><groupId>g</groupId><artifactId>${n}</artifactId><version>1.0</version></dependency>`,
            )
            .join('') +
          '</dependencies></project>\n',
      ],
    ];
  }

  async function checkAll(format: 'text' | 'json'): Promise<void> {
    // The folder name is hostile too: the CLI prints paths.
    const dir = path.join(work.dir, `${format}${ESC}[31m\u202e\nx`);
    fs.mkdirSync(dir);
    const home = path.join(work.dir, 'home');
    for (const [name, text] of files()) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const r = await runMeasured(['check', '--format', format, file], cliEnv(home));
      const what = `${name} --format ${format}`;
      assert.ok(r.status !== null && r.status <= 2, `${what}: exit ${r.status} ${r.signal}`);
      assert.doesNotMatch(
        r.stdout,
        RAW_CONTROL,
        `${what}: raw control in stdout: ${JSON.stringify(r.stdout)}`,
      );
      assert.doesNotMatch(
        r.stderr,
        RAW_CONTROL,
        `${what}: raw control in stderr: ${JSON.stringify(r.stderr)}`,
      );
      if (format === 'json') {
        const purls = r.stdout.match(/pkg:[^"]+/g) ?? [];
        assert.ok(purls.length > 0, `${what}: no purls in the JSON output`);
        for (const purl of purls) {
          assert.equal(PackageURL.fromString(purl).toString(), purl, `${what}: purl round-trip`);
        }
      }
    }
  }

  test('deptrust check (text) writes no raw control, escape or bidi character', () =>
    checkAll('text'));

  // JSON.stringify escapes C0 controls but leaves C1 controls (U+009B is a one-character CSI)
  // and bidi overrides (U+202E) raw; the CLI must escape those too.
  test('deptrust check --format json writes no raw C1 or bidi character', () => checkAll('json'));
});
