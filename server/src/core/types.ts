// The vocabulary shared by parsers, ledgers, the language server and the CLI.
// Every position is an LSP position: 0-based line, 0-based character in UTF-16 code units.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** The package ecosystems deptrust reads, named after their purl types. */
export type Ecosystem = 'npm' | 'golang' | 'gem' | 'maven';

/** The lockfile formats deptrust reads. */
export type LockfileFormat = 'package-lock' | 'go-sum' | 'gemfile-lock' | 'pom';

/**
 * Where an entry's artifact comes from. Only `registry` and `git` entries are matched against
 * trust records; `local` (file:, PATH) and `link` (workspace links) are the project's own code.
 * `gomod` is a go.sum line that pins only a module's go.mod file, never its source.
 */
export type SourceKind = 'registry' | 'git' | 'local' | 'link' | 'gomod';

/** One pinned dependency: one occurrence in a lockfile, with its own range. */
export interface Dependency {
  ecosystem: Ecosystem;
  /** Display name: npm `@scope/name`, Go module path, gem name, Maven `groupId:artifactId`. */
  name: string;
  /** The exact version as written (after property resolution for Maven); null when unresolved. */
  version: string | null;
  /** Package URL of the artifact; null for entries that are not trust subjects (local, link). */
  purl: string | null;
  /**
   * The checksum as the file writes it (`h1:...`, `sha512-...`, `sha256=...`); null when the file
   * has none. When the file holds several (npm integrity with sha1 and sha512), this is the
   * strongest and `checksums` holds all of them.
   */
  checksum: string | null;
  checksums: string[];
  /**
   * What the checksum covers, when one artifact version has several kinds of checksum. go.sum
   * writes one for the module zip and one for its go.mod file; records compare within a kind.
   */
  checksumOf?: 'zip' | 'go.mod';
  /** The whole entry: the JSON member, the spec line, the go.sum line, the dependency element. */
  range: Range;
  source: SourceKind;
  /** Extra facts kept from the file: npm path and flags, gem platform, Maven scope and so on. */
  details?: DependencyDetails;
  /** Why the entry cannot be checked as-is (unresolved version, version range, local package). */
  hint?: string;
}

export interface DependencyDetails {
  /** npm: the `packages` key or the nested `dependencies` path. */
  path?: string;
  /** npm: dev, optional, devOptional, peer, inBundle. */
  flags?: string[];
  /** Gemfile.lock: the platform part of the version (`x86_64-linux`). */
  platform?: string;
  /** Gemfile.lock: GEM, GIT, PATH or PLUGIN SOURCE. Maven: dependencies, dependencyManagement, plugin. */
  section?: string;
  /** git dependencies: the commit the lockfile pins. */
  commit?: string;
  /** Maven coordinates beyond group and artifact. */
  classifier?: string;
  type?: string;
  scope?: string;
  /** Maven: the version depends on an active profile. */
  conditional?: boolean;
  /** Where a resolved value was written, when not in the entry itself (Maven properties). */
  related?: Array<{ uri: string; range: Range; message: string }>;
}

export type ProblemSeverity = 'error' | 'warning' | 'information' | 'hint';

/** A positioned problem in a lockfile, with a machine-readable code. */
export interface ParseProblem {
  code: string;
  message: string;
  range: Range;
  severity: ProblemSeverity;
}

export interface ParseResult {
  format: LockfileFormat;
  ecosystem: Ecosystem;
  dependencies: Dependency[];
  problems: ParseProblem[];
  /**
   * False when the file is broken as a whole (JSON syntax error, XML not well-formed, conflict
   * markers): `dependencies` may then be partial, and the language server keeps the last good
   * result while showing the problem.
   */
  ok: boolean;
}

/** A verdict on one dependency, the same words in the editor, the CLI and JSON output. */
export type Verdict =
  | 'trusted'
  | 'untrusted'
  | 'unsupported'
  | 'unknown'
  | 'mismatch'
  | 'local'
  | 'unavailable'
  | 'compromised';

/** What a decision says of an artifact. */
export type TrustStatus = 'trusted' | 'untrusted' | 'unsupported';
