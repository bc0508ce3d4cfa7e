import { toHex } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Identity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';

/**
 * Secrets every device of an account derives from the key bundle (SYNC-3), so a new device
 * restored from the backup needs nothing else to read its own documents: the epoch-0 keys of
 * `account:<me>` and `profile:<me>`, and the relay read tokens of those scopes and of the inbox.
 */
export interface OwnSecrets {
  readonly accountKey: SecretKey;
  readonly profileKey: SecretKey;
  readonly accountToken: string;
  readonly profileToken: string;
  readonly inboxToken: string;
}

const enc = new TextEncoder();

export function deriveOwnSecrets(crypto: CryptoPort, identity: Identity): OwnSecrets {
  const bundle = identity.exportBundle();
  const derive = (label: string, n: number): Uint8Array => crypto.hash(enc.encode(`kith/v1/${label}`), n, bundle.expose());
  return {
    accountKey: new SecretKey(derive('account-key', 32)),
    profileKey: new SecretKey(derive('profile-key', 32)),
    accountToken: toHex(derive('account-token', 24)),
    profileToken: toHex(derive('profile-token', 24)),
    inboxToken: toHex(derive('inbox-token', 24)),
  };
}

/** A fresh random read token for a scope this device creates. */
export function randomToken(crypto: CryptoPort): string {
  return toHex(crypto.randomBytes(24));
}
