import { PackageURL } from 'packageurl-js';

/**
 * Package URLs for each ecosystem, built by packageurl-js so that encoding follows the purl
 * specification. The purl (without checksum) is the key trust records are filed under.
 */

export function npmPurl(name: string, version: string): string {
  const at = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = at > 0 ? name.slice(0, at) : undefined;
  const bare = at > 0 ? name.slice(at + 1) : name;
  return new PackageURL('npm', namespace, bare, version, undefined, undefined).toString();
}

/** Go module paths split at the last slash: namespace `github.com/x/y`, name `v2`. */
export function golangPurl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf('/');
  const namespace = slash > 0 ? modulePath.slice(0, slash) : undefined;
  const name = slash > 0 ? modulePath.slice(slash + 1) : modulePath;
  return new PackageURL('golang', namespace, name, version, undefined, undefined).toString();
}

export function gemPurl(name: string, version: string, platform?: string): string {
  const qualifiers = platform && platform !== 'ruby' ? { platform } : undefined;
  return new PackageURL('gem', undefined, name, version, qualifiers, undefined).toString();
}

export function mavenPurl(
  groupId: string,
  artifactId: string,
  version: string,
  classifier?: string,
  type?: string,
): string {
  const qualifiers: Record<string, string> = {};
  if (classifier) qualifiers.classifier = classifier;
  if (type && type !== 'jar') qualifiers.type = type;
  return new PackageURL(
    'maven',
    groupId,
    artifactId,
    version,
    Object.keys(qualifiers).length ? qualifiers : undefined,
    undefined,
  ).toString();
}

/** Parses and re-serialises a purl a user typed, so that equal purls compare equal. */
export function normalizePurl(text: string): string {
  return PackageURL.fromString(text.trim()).toString();
}
