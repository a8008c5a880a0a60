import { ed25519 } from '@noble/curves/ed25519.js';
import type { Identity } from '../identity/identity';
import { formatPublicKey } from '../ledger/signature';

/**
 * A new identity held in memory only, for callers that keep the secret themselves (the VS Code
 * extension keeps it in its secret storage). The CLI writes identities to files instead.
 */
export function generateIdentity(name: string): Identity {
  const secretKey = ed25519.utils.randomSecretKey();
  return { name, publicKey: formatPublicKey(ed25519.getPublicKey(secretKey)), secretKey, path: '' };
}

/** An identity from its transported form (base64 secret); the public key is derived, not trusted. */
export function identityFrom(name: string, secretKeyBase64: string): Identity {
  const secretKey = new Uint8Array(Buffer.from(secretKeyBase64, 'base64'));
  if (secretKey.length !== 32) throw new Error('an Ed25519 secret key has 32 bytes');
  return { name, publicKey: formatPublicKey(ed25519.getPublicKey(secretKey)), secretKey, path: '' };
}
