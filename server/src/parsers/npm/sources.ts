import { formatPurl, npmPurl } from '../../core/purl';

/**
 * Where an npm lockfile says a package comes from, read from `resolved` (v2/v3) or from a v1
 * `version` that holds a specifier instead of a version.
 */
export type NpmOrigin =
  | { kind: 'registry' }
  | { kind: 'git'; url: string; commit: string | undefined }
  | { kind: 'local'; target: string }
  | { kind: 'tarball'; url: string };

// Hosted-git shorthands npm writes into `resolved` and v1 `version` (npm-package-arg).
const HOSTED: Record<string, string> = {
  github: 'github.com',
  gitlab: 'gitlab.com',
  bitbucket: 'bitbucket.org',
  gist: 'gist.github.com',
};

const GIT_URL = /^(?:git\+[a-z]+:|git:)/i;
const SHORTHAND = /^(github|gitlab|bitbucket|gist):/i;
const COMMIT = /^[0-9a-f]{7,64}$/i;

/** Reads a `resolved` URL or a v1 specifier; registry tarballs and versions are `registry`. */
export function originOf(spec: string): NpmOrigin {
  if (GIT_URL.test(spec) || SHORTHAND.test(spec)) {
    const hash = spec.indexOf('#');
    const ref = hash >= 0 ? spec.slice(hash + 1) : '';
    const url = hash >= 0 ? spec.slice(0, hash) : spec;
    return { kind: 'git', url, commit: COMMIT.test(ref) ? ref.toLowerCase() : undefined };
  }
  if (spec.startsWith('file:')) return { kind: 'local', target: spec.slice('file:'.length) };
  if (/^https?:\/\//i.test(spec) && !isRegistryTarball(spec)) return { kind: 'tarball', url: spec };
  return REGISTRY;
}

const REGISTRY: NpmOrigin = Object.freeze({ kind: 'registry' });

/**
 * Registry tarballs are `<registry>/<name>/-/<file>.tgz` (npm's registry layout), before any
 * query or fragment; any other https URL is a tarball dependency named by URL.
 */
function isRegistryTarball(url: string): boolean {
  let stop = url.length;
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  if (query >= 0) stop = query;
  if (fragment >= 0 && fragment < stop) stop = fragment;
  const slash = url.lastIndexOf('/', stop - 1);
  // `-/` before the last slash, and a file name of at least one character before `.tgz`.
  return slash >= 2 && url.charCodeAt(slash - 1) === 0x2d && url.charCodeAt(slash - 2) === 0x2f
    && stop - slash - 1 >= 5 && url.slice(stop - 4, stop).toLowerCase() === '.tgz';
}

/**
 * The repository URL in purl `vcs_url` form (`git+https://host/path@commit`, purl spec,
 * "Known qualifiers"). Credentials are dropped so that tokens never reach the ledger and the
 * same commit gets one purl whoever fetched it.
 */
export function vcsUrl(gitUrl: string, commit: string): string {
  let url = gitUrl;
  const shorthand = SHORTHAND.exec(url);
  if (shorthand) {
    const host = HOSTED[shorthand[1].toLowerCase()];
    url = `git+https://${host}/${url.slice(shorthand[0].length).replace(/\.git$/, '')}.git`;
  } else if (/^git:/i.test(url)) {
    url = `git+${url}`;
  }
  url = url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
  // scp-like `git+ssh://host:owner/repo` from v1 files: the colon separates the path.
  url = url.replace(/^(git\+ssh:\/\/[^/:]+):(?!\d)/i, '$1/');
  return `${url}@${commit}`;
}

/**
 * The purl of a package fetched from git at one commit: the commit is part of its identity.
 * Null when no purl can be built (an empty name, or a scope without a name).
 */
export function gitPurl(
  name: string,
  version: string | null,
  gitUrl: string,
  commit: string,
): string | null {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash > 0 ? name.slice(0, slash) : undefined;
  const bare = slash > 0 ? name.slice(slash + 1) : name;
  try {
    return formatPurl('npm', namespace, bare, version ?? commit, { vcs_url: vcsUrl(gitUrl, commit) });
  } catch {
    return null;
  }
}

/** The purl of a registry package; null when the version is missing. */
export function registryPurl(name: string, version: string | null): string | null {
  if (!version || !name) return null;
  try {
    return npmPurl(name, version);
  } catch {
    return null;
  }
}

// Subresource Integrity: the strongest algorithm a browser would pick (W3C SRI, section 3.3.3).
const STRENGTH: Record<string, number> = { sha512: 4, sha384: 3, sha256: 2, sha1: 1 };

export interface Integrity {
  checksums: string[];
  strongest: string | null;
  /** Tokens that are no `<algorithm>-<base64>` hash, for a warning. */
  invalid: string[];
}

/** Character classes of the hash form: 1 for letters and digits, 2 for `+` and `/`. */
const HASH_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) HASH_CHARS[c] = 1;
  else if (ch === '+' || ch === '/') HASH_CHARS[c] = 2;
}

/**
 * Whether the text is one `<algorithm>-<base64>` hash and nothing else, as almost every entry
 * has: `^[A-Za-z0-9]+-[A-Za-z0-9+/]+={0,2}$`, checked without a regular expression because
 * it runs once per entry.
 */
function isSingleHash(text: string): boolean {
  const length = text.length;
  let i = 0;
  while (i < length && HASH_CHARS[text.charCodeAt(i)] === 1) i++;
  if (i === 0 || text.charCodeAt(i) !== 0x2d) return false;
  const digest = ++i;
  for (let c = text.charCodeAt(i); c < 128 && HASH_CHARS[c] !== 0; c = text.charCodeAt(++i));
  if (i === digest) return false;
  if (text.charCodeAt(i) === 0x3d) i++;
  if (text.charCodeAt(i) === 0x3d) i++;
  return i === length;
}

/** Splits an `integrity` field (several hashes separated by whitespace) into its hashes. */
export function readIntegrity(text: string): Integrity {
  if (isSingleHash(text)) return { checksums: [text], strongest: text, invalid: [] };
  const checksums: string[] = [];
  const invalid: string[] = [];
  let strongest: string | null = null;
  let best = 0;
  for (const token of text.split(/\s+/)) {
    if (!token) continue;
    const m = /^([a-z0-9]+)-[A-Za-z0-9+/]+={0,2}(\?.*)?$/i.exec(token);
    if (!m) {
      invalid.push(token);
      continue;
    }
    checksums.push(token);
    const strength = STRENGTH[m[1].toLowerCase()] ?? 0;
    if (strongest === null || strength > best) {
      best = strength;
      strongest = token;
    }
  }
  return { checksums, strongest, invalid };
}
