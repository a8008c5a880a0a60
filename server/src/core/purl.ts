import type { PackageURL } from 'packageurl-js';

type PurlQualifiers = ConstructorParameters<typeof PackageURL>[4];

let packageUrlClass: typeof PackageURL | undefined;

/**
 * packageurl-js, loaded on first use: loading it builds an `Intl.Collator`, which costs a CLI
 * run more (about 14 ms) than checking a whole lockfile whose purls are all plain, and plain
 * purls never need it.
 */
function packageUrl(): typeof PackageURL {
  packageUrlClass ??= (require('packageurl-js') as typeof import('packageurl-js')).PackageURL;
  return packageUrlClass;
}

/** A purl written by packageurl-js, for components that need its encoding rules. */
export function formatPurl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers?: PurlQualifiers,
): string {
  const Purl = packageUrl();
  return new Purl(type, namespace, name, version, qualifiers, undefined).toString();
}

/**
 * Characters a purl keeps as they are in a namespace, name or version (purl specification,
 * "Character encoding": ASCII letters, digits, `.`, `-`, `_`, `~`). Components made of these
 * alone are joined directly, which is what packageurl-js would write; anything else goes
 * through packageurl-js. Lockfiles hold thousands of entries, and building each purl through
 * PackageURL costs more than parsing its entry; a table lookup per character costs less than a
 * regular expression per component.
 */
const PLAIN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-') {
  PLAIN_CHAR[c.charCodeAt(0)] = 1;
}

const SLASH = 0x2f;

/** Whether `text` is non-empty and made of unencoded purl characters only. */
function isPlain(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || PLAIN_CHAR[c] === 0) return false;
  }
  return true;
}

/**
 * Whether a qualifier value is written unencoded: plain characters other than `~`, which the
 * form encoding packageurl-js applies to qualifiers (URL Standard, "application/x-www-form-
 * urlencoded serializing") percent-encodes.
 */
function isPlainQualifier(text: string): boolean {
  return isPlain(text) && text.indexOf('~') < 0;
}

/** Whether `text` is plain segments joined by single slashes (a Go module path, a namespace). */
function isPlainPath(text: string): boolean {
  if (text.length === 0 || text.charCodeAt(0) === SLASH) return false;
  let previous = SLASH;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === SLASH) {
      if (previous === SLASH) return false;
    } else if (c >= 128 || PLAIN_CHAR[c] === 0) {
      return false;
    }
    previous = c;
  }
  return previous !== SLASH;
}

/**
 * Semantic Versioning 2.0.0, the regular expression semver.org suggests ("Is there a suggested
 * regular expression"). packageurl-js accepts a golang version starting with `v` only when the
 * rest matches it, and keeps `+` unencoded in versions; Go's `+incompatible` versions are plain
 * apart from that `+`.
 */
const SEMVER_NUMBER = String.raw`(0|[1-9]\d*)`;
const SEMVER_PRERELEASE_ID = String.raw`(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  `^${SEMVER_NUMBER}\\.${SEMVER_NUMBER}\\.${SEMVER_NUMBER}`
    + `(?:-(${SEMVER_PRERELEASE_ID}(?:\\.${SEMVER_PRERELEASE_ID})*))?`
    + String.raw`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`,
);

/** A Go version that packageurl-js writes unchanged: plain, or `v<semver>` with a `+` build. */
function isPlainGoVersion(version: string): boolean {
  if (version.indexOf('+') < 0) return isPlain(version);
  return version.charCodeAt(0) === 0x76 && SEMVER.test(version.slice(1));
}

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
  const plainScope = scope === undefined || (isPlain(scope) && scope === scope.toLowerCase());
  if (plainScope && isPlain(bare) && bare === bare.toLowerCase() && isPlain(version)) {
    return `pkg:npm/${scope === undefined ? '' : `%40${scope}/`}${bare}@${version}`;
  }
  return formatPurl('npm', namespace, bare, version);
}

/**
 * Go module paths split at the last slash: namespace `github.com/x/y`, name `v2`. A path of
 * plain segments is namespace, slash and name as written, so it is joined whole.
 */
export function golangPurl(modulePath: string, version: string): string {
  if (isPlainPath(modulePath) && isPlainGoVersion(version)) {
    return `pkg:golang/${modulePath}@${version}`;
  }
  const slash = modulePath.lastIndexOf('/');
  const namespace = slash > 0 ? modulePath.slice(0, slash) : undefined;
  const name = slash > 0 ? modulePath.slice(slash + 1) : modulePath;
  return formatPurl('golang', namespace, name, version);
}

/**
 * golangPurl for the versions of one module, which a go.sum lists side by side: the module path
 * is checked once rather than once per version.
 */
export function golangPurls(modulePath: string): (version: string) => string {
  const prefix = isPlainPath(modulePath) ? `pkg:golang/${modulePath}@` : undefined;
  return (version) => (prefix !== undefined && isPlainGoVersion(version)
    ? prefix + version : golangPurl(modulePath, version));
}

export function gemPurl(name: string, version: string, platform?: string): string {
  const qualified = platform !== undefined && platform !== '' && platform !== 'ruby';
  if (isPlain(name) && isPlain(version)) {
    if (!qualified) return `pkg:gem/${name}@${version}`;
    if (isPlainQualifier(platform)) return `pkg:gem/${name}@${version}?platform=${platform}`;
  }
  const qualifiers = qualified ? { platform } : undefined;
  return formatPurl('gem', undefined, name, version, qualifiers);
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
  const plain = isPlain(groupId) && isPlain(artifactId) && isPlain(version);
  if (!classifier && !(type && type !== 'jar') && plain) {
    return `pkg:maven/${groupId}/${artifactId}@${version}`;
  }
  return formatPurl(
    'maven',
    groupId,
    artifactId,
    version,
    Object.keys(qualifiers).length ? qualifiers : undefined,
  );
}

/** Parses and re-serialises a purl a user typed, so that equal purls compare equal. */
export function normalizePurl(text: string): string {
  return packageUrl().fromString(text.trim()).toString();
}
