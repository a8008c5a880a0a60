import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineIndex } from '../../core/positions';
import type { Range } from '../../core/types';
import { decodePom } from './decode';
import {
  type DependencyDecl,
  type PomModel,
  type PomSource,
  type PropertyDecl,
  managementKey,
  readModel,
} from './model';
import { type XmlElement, readXml } from './xml';

export interface Related {
  uri: string;
  range: Range;
  message: string;
}

/** What resolving one value found out, beyond the value itself. */
export interface Trace {
  related: Related[];
  /** Properties (or `parent`) that had no value; the value is then null. */
  missing: string[];
  /** The value depends on a property only a profile defines. */
  conditional: boolean;
}

export function newTrace(): Trace {
  return { related: [], missing: [], conditional: false };
}

export function elementRange(source: PomSource, element: XmlElement): Range {
  return source.index.rangeOf(element.start, element.end < 0 ? element.start : element.end);
}

/**
 * Finds and reads the POMs a POM builds on: parents and imported BOMs. Workspace files come
 * through `readFile` (open editors first), the local Maven repository from disk. Never the
 * network. Each file is read and parsed once per Resolver.
 */
export class Resolver {
  private readonly models = new Map<string, PomModel | undefined>();
  private readonly managed = new Map<string, Map<string, ManagedVersion>>();

  constructor(
    private readonly localRepository: string,
    private readonly readFile: ((absolutePath: string) => string | undefined) | undefined,
    private readonly extraProperties: ReadonlyMap<string, string> = new Map(),
  ) {}

  interpolator(chain: PomModel[]): Interpolator {
    return new Interpolator(chain, this.extraProperties);
  }

  /** The parent of `model`, or why it could not be found. */
  parentOf(model: PomModel): { model?: PomModel; local: boolean; reason?: string } {
    const parent = model.parent;
    if (!parent) return { local: false };
    const { groupId, artifactId, version } = parent;
    if (!groupId || !artifactId || !version) {
      return { local: false, reason: 'the <parent> element lacks groupId, artifactId or version' };
    }
    if (!model.source.fromRepository && parent.relativePath !== '') {
      let candidate = path.resolve(
        path.dirname(model.source.path),
        parent.relativePath ?? '../pom.xml',
      );
      if (!candidate.endsWith('.xml') && !candidate.endsWith('.pom'))
        candidate = path.join(candidate, 'pom.xml');
      const found = this.load(candidate, false);
      if (found && matches(found, groupId, artifactId, version))
        return { model: found, local: true };
    }
    const fromRepository = this.fromRepository(groupId, artifactId, version);
    if (fromRepository) return { model: fromRepository, local: false };
    return {
      local: false,
      reason:
        `parent ${groupId}:${artifactId}:${version} is neither at ` +
        `${parent.relativePath || '../pom.xml'} nor in the local Maven repository ` +
        `(${this.localRepository})`,
    };
  }

  /** The POM a repository holds for these coordinates, or undefined. */
  fromRepository(groupId: string, artifactId: string, version: string): PomModel | undefined {
    // Coordinates come from the edited POM: they must never name a path outside the repository.
    const parts = [...groupId.split('.'), artifactId, version];
    if (parts.some((p) => p === '' || p === '.' || p === '..' || /[\\/]/.test(p))) return undefined;
    const file = path.join(this.localRepository, ...parts, `${artifactId}-${version}.pom`);
    return this.load(file, true);
  }

  /** `model` followed by its ancestors, nearest first; stops at a missing parent or a cycle. */
  chain(model: PomModel): { chain: PomModel[]; missing?: string; localParent: boolean } {
    const chain = [model];
    const seen = new Set([model.source.path]);
    let missing: string | undefined;
    let localParent = false;
    for (let current = model; current.parent;) {
      const found = this.parentOf(current);
      if (current === model) localParent = found.local;
      if (!found.model) {
        missing = found.reason;
        break;
      }
      if (seen.has(found.model.source.path) || chain.length > 32) {
        missing = `the parents of ${model.source.path} form a cycle`;
        break;
      }
      seen.add(found.model.source.path);
      chain.push(found.model);
      current = found.model;
    }
    return { chain, missing, localParent };
  }

  /**
   * The versions a POM manages (its dependencyManagement after inheritance, then its imported
   * BOMs), interpolated as Maven does: inherited entries with this POM's properties, an
   * imported BOM's entries with the BOM's own. Cached per POM file.
   */
  managedVersions(
    chain: PomModel[],
    visiting: Set<string> = new Set(),
  ): Map<string, ManagedVersion> {
    const cacheKey = chain[0].source.path;
    const cached = this.managed.get(cacheKey);
    if (cached) return cached;

    const out = new Map<string, ManagedVersion>();
    const interpolator = this.interpolator(chain);
    const imports: Array<{ decl: DependencyDecl; model: PomModel }> = [];
    // Base declarations beat profile ones; nearer POMs beat their parents.
    for (const inProfile of [false, true]) {
      for (const model of chain) {
        for (const decl of model.decls) {
          if (decl.section !== 'dependencyManagement' || Boolean(decl.profile) !== inProfile)
            continue;
          if (decl.scope === 'import' && decl.type === 'pom') {
            imports.push({ decl, model });
            continue;
          }
          const trace = newTrace();
          const groupId = interpolator.resolve(decl.groupId ?? '', trace, decl.profile);
          const artifactId = interpolator.resolve(decl.artifactId ?? '', trace, decl.profile);
          if (!groupId || !artifactId) continue;
          const type = decl.type ? interpolator.resolve(decl.type, trace, decl.profile) : undefined;
          const classifier = decl.classifier
            ? interpolator.resolve(decl.classifier, trace, decl.profile)
            : undefined;
          const key = managementKey(
            groupId,
            artifactId,
            type ?? decl.type,
            classifier ?? decl.classifier,
          );
          if (out.has(key)) continue;
          trace.related.push({
            uri: model.source.uri,
            range: elementRange(model.source, decl.element),
            message: model === chain[0] ? 'managed version' : `managed version in ${label(model)}`,
          });
          const version = decl.version
            ? interpolator.resolve(decl.version, trace, decl.profile)
            : null;
          trace.conditional ||= Boolean(decl.profile);
          out.set(key, { version, trace });
        }
      }
    }

    visiting.add(cacheKey);
    for (const { decl, model } of imports) {
      const bom = this.importedBom(decl, interpolator);
      if (!bom.model || visiting.has(bom.model.source.path)) continue;
      const bomChain = this.chain(bom.model).chain;
      // First declared import wins; anything already managed beats every import.
      for (const [key, managed] of this.managedVersions(bomChain, visiting)) {
        if (out.has(key)) continue;
        const trace: Trace = {
          related: [
            ...managed.trace.related,
            {
              uri: model.source.uri,
              range: elementRange(model.source, decl.element),
              message: `imported BOM ${bom.coordinates}`,
            },
          ],
          missing: managed.trace.missing,
          conditional: managed.trace.conditional || Boolean(decl.profile),
        };
        out.set(key, { version: managed.version, trace });
      }
    }
    visiting.delete(cacheKey);
    this.managed.set(cacheKey, out);
    return out;
  }

  /** Resolves an import-scoped dependency to the BOM's model in the local repository. */
  importedBom(
    decl: DependencyDecl,
    interpolator: Interpolator,
  ): { model?: PomModel; coordinates: string } {
    const trace = newTrace();
    const groupId = interpolator.resolve(decl.groupId ?? '', trace, decl.profile);
    const artifactId = interpolator.resolve(decl.artifactId ?? '', trace, decl.profile);
    const version = interpolator.resolve(decl.version ?? '', trace, decl.profile);
    const coordinates = [
      groupId ?? decl.groupId,
      artifactId ?? decl.artifactId,
      version ?? decl.version,
    ].join(':');
    if (!groupId || !artifactId || !version) return { coordinates };
    return { model: this.fromRepository(groupId, artifactId, version), coordinates };
  }

  private load(file: string, fromRepository: boolean): PomModel | undefined {
    if (this.models.has(file)) return this.models.get(file);
    let model: PomModel | undefined;
    if (!fromRepository && this.readFile) {
      const text = this.readFile(file);
      model = text === undefined ? undefined : modelOf(text, file, false);
    } else {
      model = repositoryModel(file, fromRepository);
    }
    this.models.set(file, model);
    return model;
  }
}

function modelOf(text: string, file: string, fromRepository: boolean): PomModel | undefined {
  const doc = readXml(text);
  if (!doc.root || doc.error || doc.root.name !== 'project') return undefined;
  const source = { uri: fileUri(file), path: file, index: new LineIndex(text), fromRepository };
  return readModel(doc.root, source);
}

/**
 * POMs read from disk, kept between parses while their size and modification time stay the
 * same: the language server parses a POM on every edit, and its parents and BOMs rarely change.
 */
const diskModels = new Map<string, { stamp: string; model: PomModel | undefined }>();
const DISK_MODELS_MAX = 512;

function repositoryModel(file: string, fromRepository: boolean): PomModel | undefined {
  // Most parents and BOMs asked for are not in the local repository; a stat that returns
  // nothing costs far less than one that throws.
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (stat === undefined) return undefined;
  const stamp = `${stat.size}:${stat.mtimeMs}:${fromRepository}`;
  const cached = diskModels.get(file);
  if (cached && cached.stamp === stamp) return cached.model;

  let model: PomModel | undefined;
  try {
    model = modelOf(decodePom(fs.readFileSync(file)), file, fromRepository);
  } catch {
    model = undefined;
  }
  if (diskModels.size >= DISK_MODELS_MAX) diskModels.delete(diskModels.keys().next().value!);
  diskModels.set(file, { stamp, model });
  return model;
}

export interface ManagedVersion {
  version: string | null;
  trace: Trace;
}

/** Whether a POM read at a parent's relativePath is that parent (Maven checks the same). */
function matches(model: PomModel, groupId: string, artifactId: string, version: string): boolean {
  const ownGroup = model.groupId ?? model.parent?.groupId;
  const ownVersion = model.version ?? model.parent?.version;
  if (model.artifactId !== artifactId || ownGroup !== groupId) return false;
  return !ownVersion || ownVersion.includes('${') || ownVersion === version;
}

export function label(model: PomModel): string {
  const group = model.groupId ?? model.parent?.groupId ?? '?';
  const version = model.version ?? model.parent?.version ?? '?';
  return `${group}:${model.artifactId ?? '?'}:${version}`;
}

export function fileUri(file: string): string {
  try {
    return pathToFileURL(file).href;
  } catch {
    return file;
  }
}

/** Names under `project.` (or the old `pom.` prefix) that come from the model itself. */
const PROJECT_PREFIX = /^(?:project|pom)\./;

/**
 * Maven's `${...}` interpolation over a POM and its parents (Maven model builder, "Model
 * Interpolation"): `project.*` from the model, then the merged `<properties>` (a child's beat
 * its parents'). Inside a profile, that profile's properties come first. A property only some
 * profile defines resolves too, but marks the value conditional.
 */
export class Interpolator {
  private readonly properties = new Map<string, { decl: PropertyDecl; model: PomModel }>();

  constructor(
    private readonly chain: PomModel[],
    private readonly extra: ReadonlyMap<string, string> = new Map(),
  ) {
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const decl of chain[i].properties.values()) {
        this.properties.set(decl.name, { decl, model: chain[i] });
      }
    }
  }

  /** The value with every `${name}` replaced; null when one has no value (see trace.missing). */
  resolve(raw: string, trace: Trace, profile?: string, depth = 0): string | null {
    if (!raw.includes('${')) return raw;
    if (depth > 16) {
      trace.missing.push(raw);
      return null;
    }
    let failed = false;
    const value = raw.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      const found = this.lookup(name.trim(), trace, profile);
      if (found === undefined) {
        trace.missing.push(name);
        failed = true;
        return whole;
      }
      const resolved = this.resolve(found, trace, profile, depth + 1);
      if (resolved === null) failed = true;
      return resolved ?? whole;
    });
    return failed ? null : value;
  }

  private lookup(name: string, trace: Trace, profile?: string): string | undefined {
    const self = this.chain[0];
    if (PROJECT_PREFIX.test(name) || name.startsWith('parent.')) {
      const field = name.replace(PROJECT_PREFIX, '');
      const at = (model: PomModel, element: XmlElement | undefined, what: string): void => {
        if (element)
          trace.related.push({
            uri: model.source.uri,
            range: elementRange(model.source, element),
            message: what,
          });
      };
      switch (field) {
        case 'version':
          if (self.version !== undefined) {
            at(self, self.versionElement, 'the project version');
            return self.version;
          }
          at(self, self.parent?.versionElement, 'the project version, inherited from the parent');
          return self.parent?.version;
        case 'groupId':
          return self.groupId ?? self.parent?.groupId;
        case 'artifactId':
          return self.artifactId;
        case 'parent.version':
          at(self, self.parent?.versionElement, 'the parent version');
          return self.parent?.version;
        case 'parent.groupId':
          return self.parent?.groupId;
        case 'parent.artifactId':
          return self.parent?.artifactId;
      }
      if (name.startsWith('project.')) return undefined;
    }

    const own = profile ? this.profileProperty(name, profile) : undefined;
    if (own) {
      this.note(trace, own.decl, own.model, `property ${name}, profile ${profile}`);
      return own.decl.value;
    }
    const base = this.properties.get(name);
    if (base) {
      this.note(trace, base.decl, base.model, `property ${name}`);
      return base.decl.value;
    }
    const extra = this.extra.get(name);
    if (extra !== undefined) return extra;
    // LIMITATION: `env.*`, Java system properties, `-D` values and properties build extensions
    // set are not known unless given in MavenSettings.properties; versions and classifiers
    // built from them show as unresolved.
    const anyProfile = this.profileProperty(name);
    if (anyProfile) {
      trace.conditional = true;
      this.note(trace, anyProfile.decl, anyProfile.model, `property ${name}, only in a profile`);
      return anyProfile.decl.value;
    }
    return undefined;
  }

  private profileProperty(
    name: string,
    profile?: string,
  ): { decl: PropertyDecl; model: PomModel } | undefined {
    for (const model of this.chain) {
      for (const p of model.profiles) {
        if (profile !== undefined && (model !== this.chain[0] || p.id !== profile)) continue;
        const decl = p.properties.get(name);
        if (decl) return { decl, model };
      }
    }
    return undefined;
  }

  private note(trace: Trace, decl: PropertyDecl, model: PomModel, message: string): void {
    trace.related.push({
      uri: model.source.uri,
      range: elementRange(model.source, decl.element),
      message,
    });
  }
}
