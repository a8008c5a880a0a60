import * as os from 'node:os';
import * as path from 'node:path';
import { LineIndex } from '../../core/positions';
import { mavenPurl } from '../../core/purl';
import type {
  Dependency,
  DependencyDetails,
  ParseProblem,
  ParseResult,
  ProblemSeverity,
  Range,
} from '../../core/types';
import type { ParseOptions } from '../parser';
import { type DependencyDecl, type PomModel, managementKey, readModel } from './model';
import {
  Interpolator,
  type ManagedVersion,
  Resolver,
  type Trace,
  elementRange,
  fileUri,
  newTrace,
} from './resolve';
import { readXml } from './xml';

export { decodePom } from './decode';

export interface MavenSettings {
  /** The local Maven repository; default `~/.m2/repository`. */
  localRepository?: string;
  /**
   * Values for properties a POM uses but does not define: what build extensions (such as
   * os-maven-plugin's `os.detected.*`), `-D` options or the environment would provide.
   */
  properties?: Record<string, string>;
}

function newResolver(options: ParseOptions, settings: MavenSettings): Resolver {
  return new Resolver(
    settings.localRepository ?? defaultLocalRepository(),
    options.readFile,
    new Map(Object.entries(settings.properties ?? {})),
  );
}

export function defaultLocalRepository(): string {
  return path.join(os.homedir(), '.m2', 'repository');
}

/** Parses a pom.xml with the local Maven repository at its default place. */
export function parsePom(text: string, options: ParseOptions): ParseResult {
  return parsePomWith(text, options, {});
}

/**
 * Parses a pom.xml: one entry per `<dependency>` element (project, managed, profile and plugin
 * dependencies) plus the `<parent>`, with versions resolved through properties, parents and
 * imported BOMs as Maven resolves them. `text` must already be decoded (see decodePom).
 */
export function parsePomWith(
  text: string,
  options: ParseOptions,
  settings: MavenSettings,
): ParseResult {
  const index = new LineIndex(text);
  const dependencies: Dependency[] = [];
  const problems: ParseProblem[] = [];
  const report = (code: string, severity: ProblemSeverity, range: Range, message: string): void => {
    problems.push({ code, severity, range, message });
  };
  const result = (ok: boolean): ParseResult => ({
    format: 'pom',
    ecosystem: 'maven',
    dependencies,
    problems,
    ok,
  });
  const where = (range: Range): string =>
    `${path.basename(options.path)} line ${range.start.line + 1}, ` +
    `column ${range.start.character + 1}`;

  const doc = readXml(text);
  let ok = true;
  if (doc.error) {
    ok = false;
    const range = index.rangeOf(doc.error.start, doc.error.end);
    report(doc.error.code, 'error', range, `${where(range)}: ${doc.error.message}`);
  }
  if (!doc.root) {
    if (ok)
      report(
        'POM_NOT_A_PROJECT',
        'error',
        index.rangeOf(0, 0),
        `${path.basename(options.path)}: no XML element`,
      );
    return result(false);
  }
  if (doc.root.name !== 'project') {
    const range = index.rangeOf(doc.root.start, doc.root.start + doc.root.name.length + 1);
    report(
      'POM_NOT_A_PROJECT',
      'error',
      range,
      `${where(range)}: expected <project> as the root element, found <${doc.root.name}>`,
    );
    return result(false);
  }

  const source = {
    uri: fileUri(options.path),
    path: path.resolve(options.path),
    index,
    fromRepository: false,
  };
  const model = readModel(doc.root, source);
  const resolver = newResolver(options, settings);
  const { chain, missing: parentMissing, localParent } = resolver.chain(model);
  const interpolator = resolver.interpolator(chain);

  if (model.parent) {
    const range = elementRange(source, model.parent.element);
    if (parentMissing)
      report('POM_PARENT_NOT_FOUND', 'warning', range, `${where(range)}: ${parentMissing}`);
    dependencies.push(parentEntry(model, interpolator, localParent, range));
  }

  let managed: Map<string, ManagedVersion> | undefined;
  const managedVersions = (): Map<string, ManagedVersion> =>
    (managed ??= resolver.managedVersions(chain));

  for (const decl of model.decls) {
    if (decl.section === 'dependencyManagement' && decl.scope === 'import' && decl.type === 'pom') {
      const bom = resolver.importedBom(decl, interpolator);
      if (!bom.model) {
        const range = elementRange(source, decl.element);
        report(
          'POM_BOM_NOT_FOUND',
          'warning',
          range,
          `${where(range)}: imported BOM ${bom.coordinates} is not in the local Maven ` +
            'repository; ' +
            'versions it manages stay unresolved (run `mvn dependency:resolve` once)',
        );
      }
    }
    const dep = entry(decl);
    if (dep) dependencies.push(dep);
  }

  return result(ok);

  function entry(decl: DependencyDecl): Dependency | undefined {
    const range = elementRange(source, decl.element);
    if (!decl.groupId || !decl.artifactId) {
      report(
        'POM_DEPENDENCY_INCOMPLETE',
        'warning',
        range,
        `${where(range)}: expected <groupId> and <artifactId> in <dependency>`,
      );
      return undefined;
    }
    // Coordinates may use properties too; a missing one there makes the artifact unknown.
    const coordinates = newTrace();
    const resolve = (raw: string | undefined): string | null | undefined =>
      raw === undefined ? undefined : interpolator.resolve(raw, coordinates, decl.profile);
    const groupId = resolve(decl.groupId);
    const artifactId = resolve(decl.artifactId);
    const classifier = resolve(decl.classifier);
    const type = resolve(decl.type);
    const scope = resolve(decl.scope);
    const trace: Trace = {
      related: [...coordinates.related],
      missing: [],
      conditional: coordinates.conditional,
    };

    const details: DependencyDetails = { section: decl.section };
    if (scope ?? decl.scope) details.scope = scope ?? decl.scope;
    if (type ?? decl.type) details.type = type ?? decl.type;
    if (classifier ?? decl.classifier) details.classifier = classifier ?? decl.classifier;
    const dep: Dependency = {
      ecosystem: 'maven',
      name: `${groupId ?? decl.groupId}:${artifactId ?? decl.artifactId}`,
      version: null,
      purl: null,
      checksum: null,
      checksums: [],
      range,
      source: 'registry',
      details,
    };
    const resolved = { classifier: classifier || undefined, type: type || undefined };

    let version: string | null = null;
    let managedFrom: ManagedVersion | undefined;
    if (decl.version) {
      version = interpolator.resolve(decl.version, trace, decl.profile);
    } else if (decl.section === 'dependencies' && groupId && artifactId) {
      managedFrom = managedVersions().get(
        managementKey(groupId, artifactId, resolved.type, resolved.classifier),
      );
      if (managedFrom) {
        version = managedFrom.version;
        trace.related.push(...managedFrom.trace.related);
        trace.missing.push(...managedFrom.trace.missing);
        trace.conditional ||= managedFrom.trace.conditional;
      }
    }
    const conditional = Boolean(decl.profile) || trace.conditional;
    if (conditional) details.conditional = true;
    if (decl.profile) details.flags = [`profile:${decl.profile}`];
    if (trace.related.length > 0) details.related = trace.related;

    if (coordinates.missing.length > 0) {
      dep.version = version;
      dep.hint =
        `the coordinates use ${missingText(coordinates)}, which has no value here ` +
        '(properties from build extensions, the environment or the command line are not known)';
      report('POM_UNRESOLVED_PROPERTY', 'warning', range, `${where(range)}: ${dep.hint}`);
      return dep;
    }
    if (version === null) {
      dep.hint = unresolvedHint(decl, trace, managedFrom, parentMissing);
      report(
        decl.version || managedFrom ? 'POM_UNRESOLVED_PROPERTY' : 'POM_VERSION_MISSING',
        'warning',
        range,
        `${where(range)}: ${dep.hint}`,
      );
      return dep;
    }
    dep.version = version;
    if (isRange(version)) {
      dep.hint = 'version range, not a pin';
      report(
        'POM_VERSION_RANGE',
        'information',
        range,
        `${where(range)}: ${dep.name} uses the version range ${version}; ` +
          'Maven picks the version at ' +
          'build time, so no single artifact can be checked',
      );
      return dep;
    }
    if (version === 'LATEST' || version === 'RELEASE') {
      dep.hint = `${version} is a moving version, not a pin`;
      report('POM_VERSION_RANGE', 'information', range, `${where(range)}: ${dep.hint}`);
      return dep;
    }
    if (scope === 'system') {
      dep.source = 'local';
      dep.hint = 'system-scoped dependency: a file on this machine, not a repository artifact';
      return dep;
    }
    dep.purl = purlOrNull(() =>
      mavenPurl(groupId!, artifactId!, version, resolved.classifier, resolved.type),
    );
    if (dep.purl === null) {
      dep.hint = NO_PURL;
      report('POM_BAD_COORDINATES', 'warning', range, `${where(range)}: ${NO_PURL}`);
    }
    return dep;
  }
}

/**
 * The versions a POM manages once parents and imported BOMs are applied, keyed
 * `groupId:artifactId:type[:classifier]` as Maven keys dependency management; null where a
 * version does not resolve; conditional where it depends on a profile. Without profiles, what
 * `mvn help:effective-pom` lists under dependencyManagement.
 */
export function managedVersionsOf(
  text: string,
  options: ParseOptions,
  settings: MavenSettings,
): Map<string, { version: string | null; conditional: boolean }> {
  const doc = readXml(text);
  const out = new Map<string, { version: string | null; conditional: boolean }>();
  if (!doc.root || doc.root.name !== 'project') return out;
  const index = new LineIndex(text);
  const source = {
    uri: fileUri(options.path),
    path: path.resolve(options.path),
    index,
    fromRepository: false,
  };
  const resolver = newResolver(options, settings);
  const { chain } = resolver.chain(readModel(doc.root, source));
  for (const [key, managed] of resolver.managedVersions(chain)) {
    out.set(key, { version: managed.version, conditional: managed.trace.conditional });
  }
  return out;
}

/** The `<parent>` as an entry: a repository artifact, or a module of this workspace. */
function parentEntry(
  model: PomModel,
  interpolator: Interpolator,
  local: boolean,
  range: Range,
): Dependency {
  const parent = model.parent!;
  const trace = newTrace();
  const version = parent.version ? interpolator.resolve(parent.version, trace) : null;
  const dep: Dependency = {
    ecosystem: 'maven',
    name: `${parent.groupId ?? '?'}:${parent.artifactId ?? '?'}`,
    version,
    purl: null,
    checksum: null,
    checksums: [],
    range,
    source: local ? 'local' : 'registry',
    details: { section: 'parent', type: 'pom' },
  };
  if (local) dep.hint = 'parent POM of this workspace, not a repository artifact';
  else if (!version || !parent.groupId || !parent.artifactId)
    dep.hint = 'the parent has no resolvable coordinates';
  else {
    dep.purl = purlOrNull(() =>
      mavenPurl(parent.groupId!, parent.artifactId!, version, undefined, 'pom'),
    );
    if (dep.purl === null) dep.hint = NO_PURL;
  }
  return dep;
}

const NO_PURL = 'the coordinates are not well-formed Unicode text, so they have no package URL';

/**
 * packageurl-js percent-encodes with encodeURIComponent, which throws on a lone surrogate: an
 * editor can send one (XML parsers pass it through), a file read from disk cannot.
 */
function purlOrNull(make: () => string): string | null {
  try {
    return make();
  } catch {
    return null;
  }
}

/** Maven version ranges (`[1.0,2.0)`, `(,1.0]`, `[1.5]`, unions) are written in brackets. */
function isRange(version: string): boolean {
  return /^[[(]/.test(version) || /[\])],[[(]/.test(version);
}

function missingText(trace: Trace): string {
  const names = [...new Set(trace.missing)].map((n) => `\${${n}}`);
  return names.join(', ') || 'a property';
}

function unresolvedHint(
  decl: DependencyDecl,
  trace: Trace,
  managed: ManagedVersion | undefined,
  parentMissing: string | undefined,
): string {
  const because = parentMissing ? ` (${parentMissing})` : '';
  if (decl.version || managed) {
    return (
      `the version uses ${missingText(trace)}, which is not defined in this POM, its parents ` +
      `or imported BOMs${because}`
    );
  }
  if (decl.section === 'dependencies') {
    return (
      `no <version> and no dependencyManagement entry for ${decl.groupId}:${decl.artifactId} ` +
      `in this POM, its parents or imported BOMs${because}`
    );
  }
  const what = decl.section === 'plugin' ? 'plugin dependency' : 'managed dependency';
  return `no <version> in this ${what}`;
}
