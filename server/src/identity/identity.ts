import { ed25519 } from '@noble/curves/ed25519.js';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signingBytes } from '../ledger/canonical';
import { dataHome } from '../ledger/paths';
import type { RecordSubject, TrustRecord } from '../ledger/record';
import { formatPublicKey, parsePublicKey } from '../ledger/signature';
import type { TrustStatus } from '../core/types';

/** An actor on this machine: a name and an Ed25519 key pair (RFC 8032). */
export interface Identity {
  name: string;
  /** `ed25519:<base64>` of the 32 public key bytes, as records and policies write it. */
  publicKey: string;
  /** The 32-byte secret seed. Never leaves the identity file and this process. */
  secretKey: Uint8Array;
  /** The file it was read from or written to. */
  path: string;
}

export type IdentityErrorCode =
  'IDENTITY_EXISTS' | 'IDENTITY_MALFORMED' | 'IDENTITY_PERMISSIONS' | 'IDENTITY_NAME';

export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

export interface IdentityOptions {
  /** The identity file; default `DEPTRUST_IDENTITY`, then `identity.json` in `dataHome()`. */
  path?: string;
}

/** The default identity file of this user. */
export function identityPath(options?: IdentityOptions): string {
  if (options?.path) return path.resolve(options.path);
  if (process.env.DEPTRUST_IDENTITY) return path.resolve(process.env.DEPTRUST_IDENTITY);
  return path.join(dataHome(), 'identity.json');
}

interface IdentityFile {
  v: 1;
  name: string;
  publicKey: string;
  secretKey: string;
}

/**
 * Creates a key pair for `name` and writes it to a file only this user can read (mode 0600, in
 * a folder of mode 0700). Refuses to replace an existing identity unless `force` is set: a lost
 * key cannot sign again, and records signed by it stay attributed to it.
 */
export function createIdentity(
  name: string,
  options?: IdentityOptions & { force?: boolean },
): Identity {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200 || /[\u0000-\u001f]/.test(trimmed)) {
    throw new IdentityError('IDENTITY_NAME', 'an actor name must be 1 to 200 printable characters');
  }
  const file = identityPath(options);
  const secretKey = ed25519.utils.randomSecretKey();
  const publicKey = formatPublicKey(ed25519.getPublicKey(secretKey));
  const content: IdentityFile = {
    v: 1,
    name: trimmed,
    publicKey,
    secretKey: Buffer.from(secretKey).toString('base64'),
  };

  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, JSON.stringify(content, null, 2) + '\n', {
      mode: 0o600,
      flag: options?.force ? 'w' : 'wx',
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new IdentityError(
        'IDENTITY_EXISTS',
        `${file} already holds an identity; keep it or pass --force`,
      );
    }
    throw e;
  }
  // An existing file keeps its mode on overwrite; the secret must never be readable by others.
  fs.chmodSync(file, 0o600);
  return { name: trimmed, publicKey, secretKey, path: file };
}

/**
 * Reads this user's identity; undefined when there is none. A file that exists but is broken,
 * or that other users can read, is an error: signing with a leaked key proves nothing.
 */
export function loadIdentity(options?: IdentityOptions): Identity | undefined {
  const file = identityPath(options);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    throw new IdentityError(
      'IDENTITY_PERMISSIONS',
      `${file} is readable by other users; run chmod 600 on it`,
    );
  }

  let parsed: Partial<IdentityFile>;
  try {
    parsed = JSON.parse(text) as Partial<IdentityFile>;
  } catch (e) {
    throw new IdentityError('IDENTITY_MALFORMED', `${file}: not JSON (${(e as Error).message})`);
  }
  const secret =
    typeof parsed.secretKey === 'string' ? Buffer.from(parsed.secretKey, 'base64') : undefined;
  if (parsed.v !== 1 || typeof parsed.name !== 'string' || !secret || secret.length !== 32) {
    throw new IdentityError(
      'IDENTITY_MALFORMED',
      `${file}: expected v 1, a name and a 32-byte secretKey`,
    );
  }
  const secretKey = new Uint8Array(secret);
  const publicKey = formatPublicKey(ed25519.getPublicKey(secretKey));
  if (parsed.publicKey !== undefined && parsed.publicKey !== publicKey) {
    throw new IdentityError(
      'IDENTITY_MALFORMED',
      `${file}: publicKey does not belong to secretKey`,
    );
  }
  return { name: parsed.name, publicKey, secretKey, path: file };
}

/** What an actor decides about one artifact; the identity adds who and the signature. */
export interface Decision {
  subject: RecordSubject;
  status: TrustStatus;
  reason?: string;
  /** Default: now. */
  time?: Date;
}

/** Makes a record of a decision, signed by the identity over its canonical encoding. */
export function signDecision(identity: Identity, decision: Decision): TrustRecord {
  const unsigned: TrustRecord = {
    v: 1,
    subject: { ...decision.subject },
    status: decision.status,
    actor: { name: identity.name, key: identity.publicKey },
    time: (decision.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(decision.reason ? { reason: decision.reason } : {}),
  };
  return signRecord(unsigned, identity);
}

/**
 * Signs a record as is (its actor key must be the identity's); any old `sig` is replaced.
 * Ed25519 signing (RFC 8032) runs in node:crypto, about seven times faster than @noble/curves,
 * which creates the keys; an append is dominated by it otherwise.
 */
export function signRecord(record: TrustRecord, identity: Identity): TrustRecord {
  if (record.actor.key !== identity.publicKey) {
    throw new IdentityError(
      'IDENTITY_MALFORMED',
      `the record names key ${record.actor.key ?? '(none)'}, not ${identity.publicKey}`,
    );
  }
  const { sig: _old, ...unsigned } = record;
  const sig = sign(null, signingBytes(unsigned), privateKey(identity));
  return { ...unsigned, sig: sig.toString('base64') };
}

const privateKeys = new WeakMap<Identity, KeyObject>();

function privateKey(identity: Identity): KeyObject {
  let key = privateKeys.get(identity);
  if (!key) {
    const raw = parsePublicKey(identity.publicKey);
    if (!raw)
      throw new IdentityError('IDENTITY_MALFORMED', `not an Ed25519 key: ${identity.publicKey}`);
    const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
    key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: b64url(identity.secretKey), x: b64url(raw) },
      format: 'jwk',
    });
    privateKeys.set(identity, key);
  }
  return key;
}
