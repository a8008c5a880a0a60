import type { LineIndex } from '../../core/positions';
import { type XmlElement, child, childText, children, descend } from './xml';

/**
 * The parts of a POM (Maven POM reference, https://maven.apache.org/pom.html) that decide which
 * artifacts a build pins: coordinates, parent, properties, dependencies in every place they may
 * be declared, and profiles.
 */

/** Where a POM's text came from; offsets in its elements index `index.text`. */
export interface PomSource {
  uri: string;
  /** Absolute path, when the POM is a file (always, today). */
  path: string;
  index: LineIndex;
  /** Read from the local Maven repository rather than the workspace. */
  fromRepository: boolean;
}

export type DeclSection = 'dependencies' | 'dependencyManagement' | 'plugin';

/** One `<dependency>` element, fields as written (untrimmed properties unresolved). */
export interface DependencyDecl {
  element: XmlElement;
  section: DeclSection;
  groupId?: string;
  artifactId?: string;
  version?: string;
  versionElement?: XmlElement;
  type?: string;
  classifier?: string;
  scope?: string;
  /** The id of the profile the element sits in, if any. */
  profile?: string;
}

export interface PropertyDecl {
  name: string;
  value: string;
  element: XmlElement;
}

export interface ParentDecl {
  element: XmlElement;
  groupId?: string;
  artifactId?: string;
  version?: string;
  versionElement?: XmlElement;
  /** undefined: the default `../pom.xml`; empty: look only in repositories. */
  relativePath?: string;
}

export interface ProfileModel {
  id: string;
  element: XmlElement;
  properties: Map<string, PropertyDecl>;
}

export interface PomModel {
  source: PomSource;
  root: XmlElement;
  groupId?: string;
  groupIdElement?: XmlElement;
  artifactId?: string;
  version?: string;
  versionElement?: XmlElement;
  parent?: ParentDecl;
  properties: Map<string, PropertyDecl>;
  /** Every dependency element in document order, profile ones included. */
  decls: DependencyDecl[];
  profiles: ProfileModel[];
}

/** Reads the model from a parsed `<project>` element. Elements still open are left out. */
export function readModel(root: XmlElement, source: PomSource): PomModel {
  const decls: DependencyDecl[] = [];
  collectDecls(root, undefined, decls);

  const profiles: ProfileModel[] = [];
  children(child(root, 'profiles'), 'profile').forEach((element, i) => {
    if (element.end < 0) return;
    const id = childText(element, 'id') || `#${i + 1}`;
    profiles.push({ id, element, properties: readProperties(child(element, 'properties')) });
    collectDecls(element, id, decls);
  });
  decls.sort((a, b) => a.element.start - b.element.start);

  const parentElement = child(root, 'parent');
  const parent: ParentDecl | undefined =
    parentElement && parentElement.end >= 0
      ? {
          element: parentElement,
          groupId: childText(parentElement, 'groupId'),
          artifactId: childText(parentElement, 'artifactId'),
          version: childText(parentElement, 'version'),
          versionElement: child(parentElement, 'version'),
          relativePath: childText(parentElement, 'relativePath'),
        }
      : undefined;

  return {
    source,
    root,
    groupId: childText(root, 'groupId'),
    groupIdElement: child(root, 'groupId'),
    artifactId: childText(root, 'artifactId'),
    version: childText(root, 'version'),
    versionElement: child(root, 'version'),
    parent,
    properties: readProperties(child(root, 'properties')),
    decls,
    profiles,
  };
}

/**
 * Dependencies of a project or profile element: its own, managed, and its plugins'.
 * LIMITATION: plugins and build extensions themselves are not entries (the reference
 * extraction lists dependencies only), so the code they bring into a build gets no verdict.
 */
function collectDecls(base: XmlElement, profile: string | undefined, out: DependencyDecl[]): void {
  const add = (list: XmlElement | undefined, section: DeclSection): void => {
    for (const element of children(list, 'dependency')) {
      if (element.end >= 0) out.push(readDecl(element, section, profile));
    }
  };
  add(child(base, 'dependencies'), 'dependencies');
  add(descend(base, 'dependencyManagement', 'dependencies'), 'dependencyManagement');
  const build = child(base, 'build');
  for (const plugins of [child(build, 'plugins'), descend(build, 'pluginManagement', 'plugins')]) {
    for (const plugin of children(plugins, 'plugin')) add(child(plugin, 'dependencies'), 'plugin');
  }
}

function readDecl(element: XmlElement, section: DeclSection, profile?: string): DependencyDecl {
  return {
    element,
    section,
    groupId: childText(element, 'groupId'),
    artifactId: childText(element, 'artifactId'),
    version: childText(element, 'version'),
    versionElement: child(element, 'version'),
    type: childText(element, 'type') || undefined,
    classifier: childText(element, 'classifier') || undefined,
    scope: childText(element, 'scope') || undefined,
    profile,
  };
}

function readProperties(element: XmlElement | undefined): Map<string, PropertyDecl> {
  const out = new Map<string, PropertyDecl>();
  for (const p of element?.children ?? []) {
    if (p.end < 0) continue;
    // A property defined twice keeps its last value, as Maven's model reader does.
    out.set(p.name, { name: p.name, value: p.text.trim(), element: p });
  }
  return out;
}

/** Maven's dependency management key: groupId:artifactId:type[:classifier]. */
export function managementKey(
  groupId: string,
  artifactId: string,
  type?: string,
  classifier?: string,
): string {
  return `${groupId}:${artifactId}:${type || 'jar'}${classifier ? `:${classifier}` : ''}`;
}
