import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Dependency, ParseResult } from '../../server/src/core/types';
import { decodePom, parsePom, parsePomWith } from '../../server/src/parsers/maven/pom';
import { readManifest, sharedPath } from '../helpers/shared';

const FIXTURES = path.join(__dirname, 'fixtures', 'maven');
const M2 = path.join(FIXTURES, 'm2');

function readFile(file: string): string | undefined {
  return fs.existsSync(file) ? decodePom(fs.readFileSync(file)) : undefined;
}

function parseFile(file: string, localRepository = M2): ParseResult {
  return parsePomWith(
    decodePom(fs.readFileSync(file)),
    { path: file, readFile },
    { localRepository },
  );
}

function find(result: ParseResult, name: string, section = 'dependencies'): Dependency {
  const found = result.dependencies.find((d) => d.name === name && d.details?.section === section);
  assert.ok(found, `no ${section} entry ${name}`);
  return found;
}

test('every corpus POM yields the manifest reference extraction', () => {
  const files = readManifest().filter((f) => f.file.startsWith('maven/'));
  assert.equal(files.length, 6, 'the manifest lists 6 maven files');
  for (const file of files) {
    const result = parseFile(sharedPath('corpus', file.file));
    assert.equal(result.ok, true, file.file);
    assert.equal(result.dependencies.length, file.entries.length, `${file.file}: entry count`);
    file.entries.forEach((want, i) => {
      const got = result.dependencies[i];
      const where = `${file.file} entry ${i} (${want.name})`;
      assert.equal(got.name, want.name, where);
      assert.equal(got.version, want.version, where);
      assert.deepEqual(got.range, want.range, where);
      assert.equal(
        got.details?.section,
        want.extras.context ?? 'dependencies',
        `${where}: context`,
      );
      assert.equal(got.details?.classifier, want.extras.classifier, `${where}: classifier`);
    });
  }
});

test('the corpus version range is kept as text, without purl, with a hint and a problem', () => {
  const result = parseFile(sharedPath('corpus', 'maven', 'scalibr__interpolation.xml'));
  const ranged = find(result, 'org.mine:ranged-package');
  assert.equal(ranged.version, '[9.4.35.v20201120,9.5)');
  assert.equal(ranged.purl, null);
  assert.equal(ranged.hint, 'version range, not a pin');
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity, p.range.start.line]),
    [['POM_VERSION_RANGE', 'information', 29]],
  );
  // The version text lives in <properties>: the entry links to it.
  const related = find(result, 'org.mine:my.package').details?.related;
  assert.equal(related?.length, 1);
  assert.equal(related?.[0].range.start.line, 12);
  assert.match(related?.[0].message ?? '', /my\.package\.version/);
  assert.equal(find(result, 'org.mine:mypackage').purl, 'pkg:maven/org.mine/mypackage@1.0.0');
});

test('classifier and type are part of the purl', () => {
  const result = parseFile(sharedPath('corpus', 'maven', 'scalibr__with-multiple-classifiers.xml'));
  assert.deepEqual(
    result.dependencies.map((d) => d.purl),
    ['pkg:maven/com.example/my-lib@1.0.0?classifier=sources', 'pkg:maven/com.example/my-lib@1.0.0'],
  );
});

test('a child module resolves through a workspace parent, a repository grandparent, BOMs', () => {
  const result = parseFile(path.join(FIXTURES, 'multi', 'child', 'pom.xml'));
  assert.equal(result.ok, true);
  const versions = Object.fromEntries(
    result.dependencies.map((d) => [`${d.details?.section}:${d.name}`, d.version]),
  );
  assert.deepEqual(versions, {
    'parent:org.example.app:app-parent': '5.1.0',
    'dependencies:com.google.guava:guava': '33.0.0-jre',
    // Managed in the parent as ${slf4j.version}, interpolated with the child's value; the
    // BOM's 1.7.36 loses because local management beats imports.
    'dependencies:org.slf4j:slf4j-api': '2.0.12',
    'dependencies:org.example.app:app-core': '5.1.0',
    // The BOM's own entry (its ${project.version}) beats the BOM it imports.
    'dependencies:org.example:from-bom': '1.0.4',
    'dependencies:org.example:from-nested-bom': '2.0.1',
    'dependencies:org.example:corp-lib': '7.3',
    'dependencies:org.example:tuned': '9.9',
    'dependencies:org.example:nowhere': null,
    'dependencies:org.example:unmanaged': null,
    'dependencies:org.example:natives': '1.0',
    'dependencies:org.example:profiled': '9.9',
    'plugin:org.apache.ant:ant': '1.10.14',
  });

  const parent = find(result, 'org.example.app:app-parent', 'parent');
  assert.equal(parent.source, 'local');
  assert.equal(parent.purl, null);

  const slf4j = find(result, 'org.slf4j:slf4j-api');
  const childUri = `file://${path.join(FIXTURES, 'multi', 'child', 'pom.xml')}`;
  const parentUri = `file://${path.join(FIXTURES, 'multi', 'pom.xml')}`;
  assert.deepEqual(
    slf4j.details?.related?.map((r) => [r.uri, r.range.start.line]),
    [
      [parentUri, 27],
      [childUri, 10],
    ],
  );

  const fromBom = find(result, 'org.example:from-bom');
  const bomPath = path.join(M2, 'org', 'example', 'example-bom', '1.0', 'example-bom-1.0.pom');
  const bomUri = `file://${bomPath}`;
  assert.ok(fromBom.details?.related?.some((r) => r.uri === bomUri && r.range.start.line === 11));
  assert.ok(
    fromBom.details?.related?.some((r) => r.message === 'imported BOM org.example:example-bom:1.0'),
  );

  const tuned = find(result, 'org.example:tuned');
  assert.equal(tuned.details?.conditional, true, 'its version exists only in a profile');
  const profiled = find(result, 'org.example:profiled');
  assert.equal(profiled.details?.conditional, true);
  assert.deepEqual(profiled.details?.flags, ['profile:fast']);
  assert.equal(find(result, 'org.example:corp-lib').details?.conditional, undefined);

  const nowhere = find(result, 'org.example:nowhere');
  assert.equal(nowhere.purl, null);
  assert.match(nowhere.hint ?? '', /\$\{nowhere\.version\}/);
  assert.match(find(result, 'org.example:unmanaged').hint ?? '', /no <version>/);

  assert.equal(
    find(result, 'org.example:natives').purl,
    'pkg:maven/org.example/natives@1.0?classifier=linux-x86_64&type=zip',
  );
  assert.equal(
    find(result, 'org.apache.ant:ant', 'plugin').purl,
    'pkg:maven/org.apache.ant/ant@1.10.14',
  );

  assert.deepEqual(
    result.problems.map((p) => `${p.range.start.line}:${p.code}`),
    ['44:POM_UNRESOLVED_PROPERTY', '49:POM_VERSION_MISSING'],
  );
});

test('without the local repository, parents and BOMs are named as missing, never guessed', () => {
  const empty = path.join(FIXTURES, 'no-such-repository');
  const parent = parseFile(path.join(FIXTURES, 'multi', 'pom.xml'), empty);
  const codes = parent.problems.map((p) => p.code);
  assert.ok(codes.includes('POM_PARENT_NOT_FOUND'), codes.join());
  assert.ok(codes.includes('POM_BOM_NOT_FOUND'), codes.join());
  const bom = find(parent, 'org.example:example-bom', 'dependencyManagement');
  assert.equal(bom.purl, 'pkg:maven/org.example/example-bom@1.0?type=pom');

  const child = parseFile(path.join(FIXTURES, 'multi', 'child', 'pom.xml'), empty);
  const corpLib = find(child, 'org.example:corp-lib');
  assert.equal(corpLib.version, null);
  assert.match(corpLib.hint ?? '', /corp\.lib\.version.*org\.example:corp-parent:3/s);
  assert.equal(find(child, 'org.example:from-bom').version, null);
  assert.equal(find(child, 'com.google.guava:guava').version, '33.0.0-jre');
});

test('malformed XML gives one positioned error and keeps the entries before it', () => {
  const result = parseFile(path.join(FIXTURES, 'malformed.xml'));
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.dependencies.map((d) => `${d.name}@${d.version}`),
    ['org.example:complete@1.0'],
  );
  assert.equal(result.problems.length, 1);
  const [problem] = result.problems;
  assert.equal(problem.code, 'POM_XML_SYNTAX');
  assert.equal(problem.severity, 'error');
  assert.equal(problem.range.start.line, 10);
  assert.match(problem.message, /^malformed\.xml line 11, column \d+: /);
});

test('entity declarations are refused before any expansion', () => {
  const result = parseFile(path.join(FIXTURES, 'entity.xml'));
  assert.equal(result.ok, false);
  assert.deepEqual(result.dependencies, []);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.range.start.line]),
    [['POM_ENTITY_DECLARATION', 1]],
  );
});

test('a document that is not a POM is an error, not an empty result', () => {
  for (const text of ['', '<settings/>', 'not xml at all']) {
    const result = parsePom(text, { path: '/x/pom.xml' });
    assert.equal(result.ok, false, JSON.stringify(text));
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].severity, 'error');
  }
});

test('decodePom honours the declared encoding, and ranges count UTF-16 units', () => {
  const pom =
    '<?xml version="1.0" encoding="ISO-8859-1"?>\n<project><name>Caf\u00e9 \u00e9t\u00e9</name>' +
    '<dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId>' +
    '<version>1</version></dependency></dependencies></project>\n';
  const bytes = Buffer.from(pom, 'latin1');
  assert.notEqual(bytes.toString('utf8'), pom, 'read as UTF-8 the text would be wrong');
  assert.equal(decodePom(bytes), pom);

  const utf16 = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(pom.replace('ISO-8859-1', 'UTF-16'), 'utf16le'),
  ]);
  assert.equal(decodePom(utf16), pom.replace('ISO-8859-1', 'UTF-16'));

  const astral = pom.replace('Caf\u00e9', '\u{1F600}');
  const result = parsePom(astral, { path: '/x/pom.xml' });
  const start = astral.indexOf('<dependency>') - astral.indexOf('\n') - 1;
  assert.deepEqual(result.dependencies[0].range.start, { line: 1, character: start });
});

test('a version that never resolves is null with a hint naming what is missing', () => {
  const pom =
    '<project><parent><groupId>p</groupId><artifactId>q</artifactId><version>1</version>' +
    '<relativePath/></parent><dependencies><dependency><groupId>g</groupId>' +
    '<artifactId>a</artifactId><version>${a.version}</version></dependency>' +
    '<dependency><groupId>g</groupId><artifactId>b</artifactId>' +
    '<version>${b.version}</version></dependency></dependencies>' +
    '<properties><b.version>${b.version}</b.version></properties></project>';
  const result = parsePomWith(pom, { path: '/x/pom.xml' }, { localRepository: '/nonexistent' });
  const [, a, b] = result.dependencies;
  assert.equal(a.version, null);
  assert.match(a.hint ?? '', /\$\{a\.version\}.*parent p:q:1/s);
  assert.equal(b.version, null, 'a property defined as itself must not loop or resolve');
});

test('truncated POMs give exactly one positioned error and only complete entries', () => {
  const corpus = sharedPath('corpus', 'maven');
  const files = [
    ...fs.readdirSync(corpus).map((f) => path.join(corpus, f)),
    path.join(FIXTURES, 'multi', 'child', 'pom.xml'),
  ];
  let runs = 0;
  for (const file of files) {
    const text = decodePom(fs.readFileSync(file));
    const whole = parsePomWith(text, { path: file, readFile }, { localRepository: M2 });
    const complete = new Set(whole.dependencies.map((d) => JSON.stringify(d.range)));
    for (
      let cut = 1;
      cut < text.trimEnd().length;
      cut += Math.max(1, Math.floor(text.length / 60))
    ) {
      const result = parsePomWith(
        text.slice(0, cut),
        { path: file, readFile },
        { localRepository: M2 },
      );
      assert.equal(result.ok, false, `${file} cut at ${cut}`);
      assert.equal(
        result.problems.filter((p) => p.severity === 'error').length,
        1,
        `${file} cut at ${cut}`,
      );
      for (const dep of result.dependencies) {
        assert.ok(complete.has(JSON.stringify(dep.range)), `${file} cut at ${cut}: partial entry`);
      }
      runs++;
    }
  }
  assert.ok(runs > 300, `ran ${runs}`);
});

test('a value is the text of a leaf element: comments and CDATA may split it, child elements void it', () => {
  const text = [
    '<project xmlns:m="http://maven.apache.org/POM/4.0.0">',
    '  <dependencies>',
    '    <dependency>',
    '      <groupId>org.<!-- split -->example</groupId>',
    '      <m:artifactId><![CDATA[one]]></m:artifactId>',
    '      <version>1.<!-- x -->2.3</version>',
    '    </dependency>',
    '    <dependency>',
    '      <groupId>org.example</groupId>',
    '      <artifactId>two</artifactId>',
    '      <version>1.0<oops/>.1</version>',
    '    </dependency>',
    '  </dependencies>',
    '</project>',
  ].join('\n');
  const result = parsePom(text, { path: '/x/pom.xml' });
  assert.deepEqual(
    result.dependencies.map((d) => [d.name, d.version, d.purl]),
    [
      ['org.example:one', '1.2.3', 'pkg:maven/org.example/one@1.2.3'],
      // Maven's reader refuses an element inside a value; here it is a version left unresolved.
      ['org.example:two', null, null],
    ],
  );
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.range.start.line]),
    [['POM_VERSION_MISSING', 7]],
  );
});
