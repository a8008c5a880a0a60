import { PackageURL } from 'packageurl-js';

/**
 * Characters a purl keeps as they are in a namespace, name or version (purl specification,
 * "Character encoding": ASCII letters, digits, `.`, `-`, `_`, `~`). Components made of these
 * alone are joined directly, which is what packageurl-js would write; anything else goes
 * through packageurl-js. Lockfiles hold thousands of entries, and building each purl through
 * PackageURL costs more than parsing its entry.
 */
const PLAIN = /^[A-Za-z0-9._~-]+$/;
const PLAIN_PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/**
 * Package URLs for each ecosystem, built by packageurl-js so that encoding follows the purl
 * specification. The purl (without checksum) is the key trust records are filed under.
 */

export function npmPurl(name: string, version: string): string {
  const at = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = at > 0 ? name.slice(0, at) : undefined;
  const bare = at > 0 ? name.slice(at + 1) : name;
  // Names with upper case go through packageurl-js, which normalizes case for type npm.
  const scope = namespace?.slice(1);
  const plainScope = scope === undefined || (PLAIN.test(scope) && scope === scope.toLowerCase());
  if (plainScope && PLAIN.test(bare) && bare === bare.toLowerCase() && PLAIN.test(version)) {
    return `pkg:npm/${scope === undefined ? '' : `%40${scope}/`}${bare}@${version}`;
  }
  return new PackageURL('npm', namespace, bare, version, undefined, undefined).toString();
}

/** Go module paths split at the last slash: namespace `github.com/x/y`, name `v2`. */
export function golangPurl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf('/');
  const namespace = slash > 0 ? modulePath.slice(0, slash) : undefined;
  const name = slash > 0 ? modulePath.slice(slash + 1) : modulePath;
  if (PLAIN.test(name) && PLAIN.test(version) && (!namespace || PLAIN_PATH.test(namespace))) {
    return `pkg:golang/${namespace ? `${namespace}/` : ''}${name}@${version}`;
  }
  return new PackageURL('golang', namespace, name, version, undefined, undefined).toString();
}

export function gemPurl(name: string, version: string, platform?: string): string {
  const qualifiers = platform && platform !== 'ruby' ? { platform } : undefined;
  if (!qualifiers && PLAIN.test(name) && PLAIN.test(version)) return `pkg:gem/${name}@${version}`;
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
  if (!classifier && !(type && type !== 'jar') && PLAIN.test(groupId) && PLAIN.test(artifactId) && PLAIN.test(version)) {
    return `pkg:maven/${groupId}/${artifactId}@${version}`;
  }
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
