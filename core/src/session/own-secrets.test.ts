import { blake2b } from '@noble/hashes/blake2.js';
import { describe, expect, it } from 'vitest';
import { createIdentity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import type { DeviceId } from '../ids.js';
import { encodeHex as toHex } from '../protocol/hex.js';
import { deriveOwnSecrets } from './own-secrets.js';

describe('own secrets come from the key bundle alone (SYNC-3)', () => {
  it('K(label) = BLAKE2b(key = bundle, "kith/v1/<label>"): 32-byte keys, 24-byte hex tokens, the same on every device', async () => {
    const crypto = await createSodiumCrypto();
    const bundle = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
    const make = (device: string) => createIdentity(crypto, { device: device as DeviceId, bundle: new SecretKey(bundle.slice()) });
    const own = deriveOwnSecrets(crypto, make('11111111-1111-4111-8111-111111111111'));
    const K = (label: string, n: number): Uint8Array => blake2b(new TextEncoder().encode(`kith/v1/${label}`), { key: bundle, dkLen: n });
    expect(own.accountKey.expose()).toEqual(K('account-key', 32));
    expect(own.profileKey.expose()).toEqual(K('profile-key', 32));
    expect(own.accountToken).toBe(toHex(K('account-token', 24)));
    expect(own.profileToken).toBe(toHex(K('profile-token', 24)));
    expect(own.inboxToken).toBe(toHex(K('inbox-token', 24)));
    expect(new Set([own.accountToken, own.profileToken, own.inboxToken]).size).toBe(3);
    const other = deriveOwnSecrets(crypto, make('22222222-2222-4222-8222-222222222222'));
    expect(other.inboxToken).toBe(own.inboxToken);
    expect(other.accountKey.expose()).toEqual(own.accountKey.expose());
  });
});
