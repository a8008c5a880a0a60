import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from '../core/positions';
import type { Range } from '../core/types';
import { loadIdentity, type IdentityOptions } from '../identity/identity';
import { parsePublicKey } from '../ledger/signature';

/** Where a repository keeps its policy, relative to its root (or any folder above a lockfile). */
export const POLICY_PATH = path.join('.deptrust', 'policy.json');

/** Stands for "every actor the policy names" in `veto` and a requirement's `roles`. */
export const ANY_ROLE = '*';

/** An actor the policy counts: records signed by `key` are this actor's decisions. */
export interface PolicyActor {
  name: string;
  /** `ed25519:<base64>`. */
  key: string;
  roles: string[];
}

/** At least `count` distinct actors holding one of `roles` must trust the artifact. */
export interface TrustRequirement {
  roles: string[];
  count: number;
}

export interface Policy {
  actors: PolicyActor[];
  /** Roles whose latest `untrusted` or `unsupported` record decides; `*`: every actor. */
  veto: string[];
  /** Every requirement must hold for `trusted`. */
  trust: TrustRequirement[];
  /** Whether a check (CLI exit code, diagnostic severity) fails on `unknown`. */
  unknownFails: boolean;
  /** Whether a check fails on `unsupported`. */
  unsupportedFails: boolean;
  /** Where the policy came from, for explanations. */
  source: PolicySource;
}

export type PolicySource =
  | { kind: 'file'; path: string }
  | { kind: 'default'; reason: string }
  | { kind: 'broken'; path: string; reason: string };

export type PolicyErrorCode =
  | 'POLICY_SYNTAX'
  | 'POLICY_TYPE'
  | 'POLICY_MISSING'
  | 'POLICY_UNKNOWN_FIELD'
  | 'POLICY_VERSION'
  | 'POLICY_KEY'
  | 'POLICY_DUPLICATE'
  | 'POLICY_ROLE'
  | 'POLICY_UNREADABLE';

/** A positioned problem in a policy file (LSP range: 0-based, UTF-16). */
export interface PolicyError {
  code: PolicyErrorCode;
  message: string;
  range: Range;
}

export type PolicyLoad =
  { ok: true; policy: Policy } | { ok: false; file: string; errors: PolicyError[]; policy: Policy };

/**
 * The policy without a policy file: only records signed by this user's own key count, the
 * latest one wins, and it may veto. Foreign and unsigned records never count, so whoever can
 * write to a shared ledger folder cannot make anything trusted for this user.
 */
export function defaultPolicy(localKey: string | undefined, localName = 'you'): Policy {
  return {
    actors: localKey ? [{ name: localName, key: localKey, roles: ['local'] }] : [],
    veto: [ANY_ROLE],
    trust: [{ roles: [ANY_ROLE], count: 1 }],
    unknownFails: false,
    unsupportedFails: false,
    source: {
      kind: 'default',
      reason: localKey
        ? "no policy file: only records signed by this machine's identity count"
        : 'no policy file and no identity on this machine (`deptrust identity create`): no record counts',
    },
  };
}

let cachedLocal: Policy | undefined;

/**
 * The default policy for this user's identity, read once per process (once found). An identity
 * file that cannot be read gives a policy that counts no one, with the reason in its source.
 */
export function localDefaultPolicy(options?: IdentityOptions): Policy {
  if (cachedLocal && !options) return cachedLocal;
  let policy: Policy;
  try {
    const identity = loadIdentity(options);
    policy = defaultPolicy(identity?.publicKey, identity?.name);
  } catch (e) {
    policy = defaultPolicy(undefined);
    policy.source = {
      kind: 'default',
      reason: `no policy file, and the identity is unusable: ${(e as Error).message}`,
    };
  }
  // Without an identity nothing is cached: one created later in this process counts at once.
  if (!options && policy.actors.length > 0) cachedLocal = policy;
  return policy;
}

/** A policy that counts no one, for a policy file that is broken: fail closed, never open. */
export function unusablePolicy(file: string, reason: string): Policy {
  return {
    ...defaultPolicy(undefined),
    unknownFails: true,
    unsupportedFails: true,
    source: { kind: 'broken', path: file, reason },
  };
}

/**
 * Finds the policy that governs a file: `.deptrust/policy.json` in its folder or the nearest
 * folder above, stopping at the repository root (the first folder holding `.git`).
 */
export function findPolicy(filePath: string): string | undefined {
  let dir = path.resolve(filePath);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const candidate = path.join(dir, POLICY_PATH);
    if (fs.existsSync(candidate)) return candidate;
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads `.deptrust/policy.json` of a workspace folder. No file: the local default policy. A
 * broken file: its positioned errors and a policy that counts no one, never a silent default.
 */
export function loadPolicy(workspaceDir: string, options?: IdentityOptions): PolicyLoad {
  const file = path.join(workspaceDir, POLICY_PATH);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return { ok: true, policy: localDefaultPolicy(options) };
    const message = `cannot read ${file}: ${(e as Error).message}`;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return {
      ok: false,
      file,
      errors: [{ code: 'POLICY_UNREADABLE', message, range }],
      policy: unusablePolicy(file, message),
    };
  }
  return parsePolicy(text, file);
}

/** The members each object of a policy may have; schemas/policy.schema.json names the same. */
export const POLICY_FIELDS = {
  policy: ['$schema', 'version', 'actors', 'rules'],
  actor: ['name', 'key', 'roles'],
  rules: ['veto', 'trust', 'unknownFails', 'unsupportedFails'],
  requirement: ['roles', 'count'],
} as const;
const TOP_FIELDS = [...POLICY_FIELDS.policy];
const ACTOR_FIELDS = [...POLICY_FIELDS.actor];
const RULE_FIELDS = [...POLICY_FIELDS.rules];
const REQUIREMENT_FIELDS = [...POLICY_FIELDS.requirement];

/** Parses and checks a policy's text (an open editor buffer, or a file's content). */
export function parsePolicy(text: string, file: string): PolicyLoad {
  const lines = new LineIndex(text);
  const errors: PolicyError[] = [];
  const at = (
    node: { offset: number; length: number },
    code: PolicyErrorCode,
    message: string,
  ): void => {
    errors.push({
      code,
      message: `${file} line ${lines.positionAt(node.offset).line + 1}: ${message}`,
      range: lines.rangeOf(node.offset, node.offset + node.length),
    });
  };

  const syntax: ParseError[] = [];
  const root = parseTree(text, syntax, { disallowComments: true, allowTrailingComma: false });
  for (const e of syntax) at(e, 'POLICY_SYNTAX', `JSON syntax: ${printParseErrorCode(e.error)}`);
  if (syntax.length || !root) {
    if (!root && !syntax.length)
      at({ offset: 0, length: 0 }, 'POLICY_SYNTAX', 'the file is empty; expected an object');
    return broken(file, errors);
  }

  const policy: Policy = {
    ...defaultPolicy(undefined),
    actors: [],
    source: { kind: 'file', path: file },
  };
  const top = members(root, 'the policy', TOP_FIELDS, at);
  if (!top) return broken(file, errors);

  const version = top.get('version');
  if (!version) at(root, 'POLICY_MISSING', 'missing `version`; expected 1');
  else if (version.value !== 1)
    at(
      version,
      'POLICY_VERSION',
      `unknown policy version ${JSON.stringify(version.value)}; expected 1`,
    );

  const actors = top.get('actors');
  const keys = new Set<string>();
  const names = new Set<string>();
  if (!actors)
    at(root, 'POLICY_MISSING', 'missing `actors`; expected a list of { name, key, roles }');
  else if (actors.type !== 'array') at(actors, 'POLICY_TYPE', '`actors` must be an array');
  else {
    for (const node of actors.children ?? []) {
      const fields = members(node, 'an actor', ACTOR_FIELDS, at);
      if (!fields) continue;
      const name = stringField(fields, node, 'name', at);
      const key = stringField(fields, node, 'key', at);
      const roles = stringList(fields.get('roles'), 'roles', at) ?? [];
      if (key !== undefined && !parsePublicKey(key)) {
        at(
          fields.get('key')!,
          'POLICY_KEY',
          'expected an Ed25519 key `ed25519:<base64 of 32 bytes>` (see `deptrust identity show`)',
        );
      } else if (key !== undefined && keys.has(key)) {
        at(fields.get('key')!, 'POLICY_DUPLICATE', 'this key is already named by another actor');
      }
      if (name !== undefined && names.has(name))
        at(fields.get('name')!, 'POLICY_DUPLICATE', `two actors are named ${name}`);
      if (name === undefined || key === undefined) continue;
      keys.add(key);
      names.add(name);
      policy.actors.push({ name, key, roles });
    }
  }

  const rules = top.get('rules');
  if (rules) {
    const fields = members(rules, '`rules`', RULE_FIELDS, at);
    if (fields) {
      const veto = stringList(fields.get('veto'), 'veto', at);
      if (veto) policy.veto = veto;
      const trust = fields.get('trust');
      if (trust) policy.trust = requirements(trust, at);
      const unknown = booleanField(fields.get('unknownFails'), 'unknownFails', at);
      if (unknown !== undefined) policy.unknownFails = unknown;
      const unsupported = booleanField(fields.get('unsupportedFails'), 'unsupportedFails', at);
      if (unsupported !== undefined) policy.unsupportedFails = unsupported;
      checkRoles(policy, fields, at);
    }
  }

  return errors.length ? broken(file, errors) : { ok: true, policy };
}

type At = (
  node: { offset: number; length: number },
  code: PolicyErrorCode,
  message: string,
) => void;

function broken(file: string, errors: PolicyError[]): PolicyLoad {
  return {
    ok: false,
    file,
    errors,
    policy: unusablePolicy(file, errors[0]?.message ?? 'broken policy'),
  };
}

/** The members of an object node by name; unknown names are errors (a typo must not pass). */
function members(
  node: Node,
  what: string,
  allowed: string[],
  at: At,
): Map<string, Node> | undefined {
  if (node.type !== 'object') {
    at(node, 'POLICY_TYPE', `${what} must be an object`);
    return undefined;
  }
  const out = new Map<string, Node>();
  for (const property of node.children ?? []) {
    const [keyNode, valueNode] = property.children ?? [];
    if (!keyNode || !valueNode) continue;
    const key = String(keyNode.value);
    if (!allowed.includes(key))
      at(
        keyNode,
        'POLICY_UNKNOWN_FIELD',
        `unknown field \`${key}\` in ${what}; expected one of ${allowed.join(', ')}`,
      );
    else if (out.has(key)) at(keyNode, 'POLICY_DUPLICATE', `\`${key}\` appears twice`);
    else out.set(key, valueNode);
  }
  return out;
}

function stringField(
  fields: Map<string, Node>,
  parent: Node,
  name: string,
  at: At,
): string | undefined {
  const node = fields.get(name);
  if (!node) {
    at(parent, 'POLICY_MISSING', `missing \`${name}\``);
    return undefined;
  }
  if (node.type !== 'string' || !(node.value as string).trim()) {
    at(node, 'POLICY_TYPE', `\`${name}\` must be a non-empty string`);
    return undefined;
  }
  return node.value as string;
}

function stringList(node: Node | undefined, name: string, at: At): string[] | undefined {
  if (!node) return undefined;
  if (
    node.type !== 'array' ||
    !(node.children ?? []).every((c) => c.type === 'string' && c.value)
  ) {
    at(node, 'POLICY_TYPE', `\`${name}\` must be an array of non-empty strings`);
    return undefined;
  }
  return (node.children ?? []).map((c) => c.value as string);
}

function booleanField(node: Node | undefined, name: string, at: At): boolean | undefined {
  if (!node) return undefined;
  if (node.type !== 'boolean') {
    at(node, 'POLICY_TYPE', `\`${name}\` must be true or false`);
    return undefined;
  }
  return node.value as boolean;
}

function requirements(node: Node, at: At): TrustRequirement[] {
  if (node.type !== 'array' || (node.children ?? []).length === 0) {
    at(node, 'POLICY_TYPE', '`trust` must be a non-empty array of { roles, count }');
    return [];
  }
  const out: TrustRequirement[] = [];
  for (const child of node.children ?? []) {
    const fields = members(child, 'a trust requirement', REQUIREMENT_FIELDS, at);
    if (!fields) continue;
    const roles = stringList(fields.get('roles'), 'roles', at) ?? [ANY_ROLE];
    const count = fields.get('count');
    if (!count)
      at(child, 'POLICY_MISSING', 'missing `count`, the number of trusting actors needed');
    else if (
      count.type !== 'number' ||
      !Number.isInteger(count.value) ||
      (count.value as number) < 1
    ) {
      at(count, 'POLICY_TYPE', '`count` must be a whole number of at least 1');
    } else out.push({ roles, count: count.value as number });
  }
  return out;
}

/** A role named in the rules that no actor holds is a typo or a gap: either way an error. */
function checkRoles(policy: Policy, rules: Map<string, Node>, at: At): void {
  const held = new Set(policy.actors.flatMap((a) => a.roles));
  const check = (node: Node | undefined): void => {
    for (const c of node?.children ?? []) {
      if (c.type === 'string' && c.value !== ANY_ROLE && !held.has(c.value as string)) {
        at(c, 'POLICY_ROLE', `no actor has the role \`${c.value}\``);
      }
    }
  };
  check(rules.get('veto'));
  for (const r of rules.get('trust')?.children ?? []) {
    if (r.type !== 'object') continue;
    const roles = r.children?.find((p) => p.children?.[0]?.value === 'roles')?.children?.[1];
    check(roles);
  }
}

/** Whether a verdict fails a check under the policy (CLI exit code, diagnostic severity). */
export function failsCheck(verdict: string, policy: Policy): boolean {
  switch (verdict) {
    case 'trusted':
    case 'local':
      return false;
    case 'unknown':
      return policy.unknownFails;
    case 'unsupported':
      return policy.unsupportedFails;
    default:
      return true;
  }
}
