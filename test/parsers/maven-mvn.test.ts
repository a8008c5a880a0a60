// Differential test: our pom.xml resolution against Maven itself (`mvn help:effective-pom`,
// `mvn dependency:list`), with Maven Central for parents, BOMs and plugins. Downloads are
// cached in .cache/m2 (git-ignored). Maven is slow to start, so POMs are batched: one reactor
// for the corpus and dubbo POMs, one non-recursive run for netty (its modules are not in
// shared/), one run for a project written at test time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { ParseResult } from '../../server/src/core/types';
import { managementKey } from '../../server/src/parsers/maven/model';
import { decodePom, managedVersionsOf, parsePomWith } from '../../server/src/parsers/maven/pom';
import {
  type XmlElement,
  child,
  childText,
  children,
  descend,
  readXml,
} from '../../server/src/parsers/maven/xml';
import { sharedPath } from '../helpers/shared';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const M2 = path.join(REPO_ROOT, '.cache', 'm2');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-mvn-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function mvn(cwd: string, args: string[]): void {
  const result = spawnSync('mvn', ['-B', '-q', `-Dmaven.repo.local=${M2}`, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.error) throw new Error(`mvn could not run (${result.error.message}); install Maven`);
  if (result.status !== 0) {
    throw new Error(`mvn ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
}

function readFile(file: string): string | undefined {
  return fs.existsSync(file) ? decodePom(fs.readFileSync(file)) : undefined;
}

function parse(file: string, properties?: Record<string, string>): ParseResult {
  const text = decodePom(fs.readFileSync(file));
  return parsePomWith(text, { path: file, readFile }, { localRepository: M2, properties });
}

/**
 * The `os.detected.*` properties os-maven-plugin (a build extension netty uses) computed for
 * this machine; the editor cannot run extensions and takes them as given.
 */
function extensionProperties(project: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of child(project, 'properties')?.children ?? []) {
    if (p.name.startsWith('os.detected.')) out[p.name] = p.text.trim();
  }
  return out;
}

/** The `<project>` elements of an effective-pom output, keyed groupId:artifactId. */
function effectiveProjects(file: string): Map<string, XmlElement> {
  const doc = readXml(fs.readFileSync(file, 'utf8'));
  assert.ok(doc.root && !doc.error, `effective POM ${file} does not parse: ${doc.error?.message}`);
  const projects = doc.root.name === 'projects' ? children(doc.root, 'project') : [doc.root];
  return new Map(
    projects.map((p) => [`${childText(p, 'groupId')}:${childText(p, 'artifactId')}`, p]),
  );
}

function keyOf(d: XmlElement): string {
  return managementKey(
    childText(d, 'groupId') ?? '',
    childText(d, 'artifactId') ?? '',
    childText(d, 'type'),
    childText(d, 'classifier'),
  );
}

function versionsIn(list: XmlElement | undefined): Map<string, string | undefined> {
  return new Map(children(list, 'dependency').map((d) => [keyOf(d), childText(d, 'version')]));
}

/**
 * Compares every entry that Maven's effective POM also shows: project dependencies,
 * managed dependencies, plugin dependencies and the parent. Returns the number compared.
 */
function compareWithEffective(
  result: ParseResult,
  project: XmlElement,
  includeConditional: boolean,
): number {
  const deps = versionsIn(child(project, 'dependencies'));
  const managed = versionsIn(descend(project, 'dependencyManagement', 'dependencies'));
  const plugins = new Map<string, string | undefined>();
  const build = child(project, 'build');
  for (const list of [child(build, 'plugins'), descend(build, 'pluginManagement', 'plugins')]) {
    for (const plugin of children(list, 'plugin')) {
      for (const [k, v] of versionsIn(child(plugin, 'dependencies'))) plugins.set(k, v);
    }
  }

  let compared = 0;
  for (const dep of result.dependencies) {
    const d = dep.details ?? {};
    if (d.conditional && !includeConditional) continue;
    const [groupId, artifactId] = dep.name.split(':');
    const key = managementKey(groupId, artifactId, d.type, d.classifier);
    const where = `${dep.name} (${d.section}, line ${dep.range.start.line + 1})`;
    if (d.section === 'parent') {
      assert.equal(dep.version, descend(project, 'parent', 'version')?.text.trim(), where);
    } else if (d.section === 'dependencies') {
      assert.ok(deps.has(key), `${where}: not in the effective POM's dependencies`);
      assert.equal(dep.version, deps.get(key), where);
    } else if (d.section === 'dependencyManagement') {
      // An import is replaced by the BOM's entries in the effective POM.
      if (d.scope === 'import') continue;
      assert.ok(managed.has(key), `${where}: not in the effective POM's dependencyManagement`);
      assert.equal(dep.version, managed.get(key), where);
    } else if (d.section === 'plugin') {
      assert.ok(plugins.has(key), `${where}: not in the effective POM's plugin dependencies`);
      assert.equal(dep.version, plugins.get(key), where);
    } else {
      continue;
    }
    compared++;
  }
  return compared;
}

/** Our dependencyManagement after parents and BOM imports equals Maven's, key by key. */
function compareManaged(
  file: string,
  project: XmlElement,
  properties?: Record<string, string>,
): number {
  const text = decodePom(fs.readFileSync(file));
  const ours = managedVersionsOf(
    text,
    { path: file, readFile },
    { localRepository: M2, properties },
  );
  const theirs = versionsIn(descend(project, 'dependencyManagement', 'dependencies'));
  const mine = new Map([...ours].filter(([, v]) => !v.conditional).map(([k, v]) => [k, v.version]));
  assert.deepEqual(
    [...mine].sort(),
    [...theirs].sort(),
    `${path.basename(file)}: managed versions differ from Maven's`,
  );
  return theirs.size;
}

/** A POM Maven can build needs its own or its parent's groupId and version. */
function mavenCanBuild(file: string): string | undefined {
  const root = readXml(decodePom(fs.readFileSync(file))).root;
  const parent = child(root, 'parent');
  if (!childText(root, 'artifactId')) return 'the POM has no <artifactId>';
  if (!childText(root, 'groupId') && !childText(parent, 'groupId'))
    return 'the POM has no <groupId>';
  if (!childText(root, 'version') && !childText(parent, 'version'))
    return 'the POM has no <version>';
  return undefined;
}

test('corpus and benchmark POMs resolve as Maven resolves them', async (t) => {
  const corpus = sharedPath('corpus', 'maven');
  const files = [
    ...fs.readdirSync(corpus).map((f) => path.join(corpus, f)),
    sharedPath('bench', 'maven', 'dubbo-dependencies-bom.pom.xml'),
  ];
  const buildable = files.filter((f) => !mavenCanBuild(f));
  assert.ok(buildable.length >= 4, `expected at least 4 buildable POMs: ${buildable}`);

  const aggregator = path.join(work, 'aggregator');
  fs.mkdirSync(aggregator);
  fs.writeFileSync(
    path.join(aggregator, 'pom.xml'),
    '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>' +
      '<groupId>deptrust.test</groupId><artifactId>aggregator</artifactId><version>1</version>' +
      '<packaging>pom</packaging><modules>' +
      buildable.map((f) => `<module>${path.relative(aggregator, f)}</module>`).join('') +
      '</modules></project>',
  );
  const output = path.join(work, 'corpus-effective.xml');
  mvn(aggregator, ['help:effective-pom', `-Doutput=${output}`]);
  const projects = effectiveProjects(output);

  for (const file of files) {
    const reason = mavenCanBuild(file);
    if (reason) {
      await t.test(path.basename(file), { skip: `Maven cannot build it: ${reason}` }, () => {});
      continue;
    }
    await t.test(path.basename(file), () => {
      const result = parse(file);
      const root = readXml(decodePom(fs.readFileSync(file))).root;
      const groupId = childText(root, 'groupId') ?? childText(child(root, 'parent'), 'groupId');
      const id = `${groupId}:${childText(root, 'artifactId')}`;
      const project = projects.get(id);
      assert.ok(project, `Maven's output has no project ${id}`);
      assert.deepEqual(
        result.problems.filter((p) => p.severity !== 'information'),
        [],
      );
      const compared = compareWithEffective(result, project, false);
      assert.ok(compared > 0, 'nothing compared');
      t.diagnostic(
        `${path.basename(file)}: ${compared} entries, ${compareManaged(file, project)} managed`,
      );
    });
  }
});

test('netty.pom.xml (parent from Central, many properties) resolves as Maven resolves it', (t) => {
  const file = sharedPath('bench', 'maven', 'netty.pom.xml');
  const output = path.join(work, 'netty-effective.xml');
  // -N: netty's modules are not part of shared/, only its root POM.
  mvn(work, ['-N', '-f', file, 'help:effective-pom', `-Doutput=${output}`]);
  const project = [...effectiveProjects(output).values()][0];
  const properties = extensionProperties(project);
  assert.equal(
    properties['os.detected.classifier'] !== undefined,
    true,
    'os-maven-plugin did not run',
  );
  const result = parse(file, properties);
  assert.deepEqual(
    result.problems.filter((p) => p.severity !== 'information'),
    [],
  );
  const compared = compareWithEffective(result, project, false);
  assert.ok(compared >= 60, `compared ${compared}`);
  const managed = compareManaged(file, project, properties);
  assert.ok(managed >= 50, `compared ${managed} managed`);
  t.diagnostic(`netty.pom.xml: ${compared} entries, ${managed} managed`);

  // Without those values the classifier is unknown: named as such, never guessed.
  const bare = parse(file).dependencies.find((d) => d.hint?.includes('${os.detected.classifier}'));
  assert.ok(bare && bare.purl === null, 'an entry whose classifier needs os.detected.classifier');
});

/** A two-module project: parent with properties and a BOM from Central, child with a profile. */
function writeProject(root: string): void {
  fs.mkdirSync(path.join(root, 'child'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>deptrust.it</groupId>
  <artifactId>parent</artifactId>
  <version>1.0.0</version>
  <packaging>pom</packaging>
  <modules><module>child</module></modules>
  <properties>
    <junit.version>5.10.2</junit.version>
    <commons-lang3.version>3.14.0</commons-lang3.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.junit</groupId>
        <artifactId>junit-bom</artifactId>
        <version>\${junit.version}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
      <dependency>
        <groupId>org.apache.commons</groupId>
        <artifactId>commons-lang3</artifactId>
        <version>\${commons-lang3.version}</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
`,
  );
  fs.writeFileSync(
    path.join(root, 'child', 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>deptrust.it</groupId>
    <artifactId>parent</artifactId>
    <version>1.0.0</version>
  </parent>
  <artifactId>child</artifactId>
  <properties>
    <commons-lang3.version>3.13.0</commons-lang3.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter-api</artifactId>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-lang3</artifactId>
    </dependency>
  </dependencies>
  <profiles>
    <profile>
      <id>logging</id>
      <activation><activeByDefault>true</activeByDefault></activation>
      <properties><slf4j.version>2.0.13</slf4j.version></properties>
      <dependencies>
        <dependency>
          <groupId>org.slf4j</groupId>
          <artifactId>slf4j-api</artifactId>
          <version>\${slf4j.version}</version>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-antrun-plugin</artifactId>
        <version>3.1.0</version>
        <dependencies>
          <dependency>
            <groupId>org.apache.ant</groupId>
            <artifactId>ant</artifactId>
            <version>1.10.14</version>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
</project>
`,
  );
}

test('a multi-module project written at test time resolves as Maven resolves it', () => {
  const root = path.join(work, 'project');
  writeProject(root);
  const output = path.join(work, 'project-effective.xml');
  mvn(root, [
    'help:effective-pom',
    `-Doutput=${output}`,
    'dependency:list',
    '-DoutputFile=deps.txt',
  ]);
  const childPom = path.join(root, 'child', 'pom.xml');
  const result = parse(childPom);
  assert.deepEqual(result.problems, []);

  const project = effectiveProjects(output).get('deptrust.it:child');
  assert.ok(project, 'Maven reported no effective POM for the child');
  // The profile is active by default, so Maven shows its dependency too.
  assert.equal(compareWithEffective(result, project, true), 5);

  // dependency:list resolves real artifacts: the versions Maven downloads are ours.
  const listed = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(root, 'child', 'deps.txt'), 'utf8').split('\n')) {
    const m = /^\s+([^:\s]+):([^:]+):([^:]+):(?:[^:]+:)?([^:]+):(\w+)/.exec(line);
    if (m) listed.set(`${m[1]}:${m[2]}`, m[4]);
  }
  const direct = result.dependencies.filter((d) => d.details?.section === 'dependencies');
  assert.equal(direct.length, 3);
  for (const dep of direct) assert.equal(dep.version, listed.get(dep.name), dep.name);
  assert.equal(listed.get('org.apache.commons:commons-lang3'), '3.13.0');
  assert.equal(listed.get('org.junit.jupiter:junit-jupiter-api'), '5.10.2');

  const slf4j = result.dependencies.find((d) => d.name === 'org.slf4j:slf4j-api');
  assert.equal(slf4j?.details?.conditional, true);
});
