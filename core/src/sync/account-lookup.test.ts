import { describe, expect, it } from 'vitest';
import { createIdentity, encodePublicIdentity, type PublicIdentity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { toHex, type DeviceId } from '../ids.js';
import type { RelayFetch } from '../ports/transport.js';
import { loadKeyStore } from '../session/key-store.js';
import { createMemoryVault } from '../vault/index.js';
import { lookupAccount } from './relay-http.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;

/** A relay directory that answers `bob` with whatever the test plants. */
const directory = (answer: Record<string, unknown>): RelayFetch => () => Promise.resolve(new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } }));

describe('C1: account lookup binds the box key to the signing key (SYNC-10)', () => {
  it('C1: a substituted box key (identity omitted or re-forged) is refused and never stored', async () => {
    const crypto = await createSodiumCrypto();
    const [bob, relayOwn, bobNew] = [2, 9, 4].map((n) => createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(n)) }));
    const real = bob!.public;
    const base = { userId: real.userId, username: 'bob', signKey: toHex(real.signingKey) };
    const forged: PublicIdentity = { ...real, boxKey: relayOwn!.public.boxKey };
    const answers = {
      omitted: directory({ ...base, boxKey: toHex(relayOwn!.public.boxKey) }),
      substituted: directory({ ...base, boxKey: toHex(relayOwn!.public.boxKey), identity: toHex(encodePublicIdentity(forged)) }),
      otherUser: directory({ ...base, identity: toHex(encodePublicIdentity(relayOwn!.public)) }),
      genuine: directory({ ...base, boxKey: toHex(relayOwn!.public.boxKey), identity: toHex(encodePublicIdentity(real)) }),
    };
    const codes: Record<string, string> = {};
    for (const [name, f] of Object.entries(answers)) {
      const r = await lookupAccount(f, crypto, 'bob');
      codes[name] = r.ok ? 'ok' : r.error.code;
      if (name === 'genuine' && r.ok) expect(toHex(r.value.boxKey)).toBe(toHex(real.boxKey)); // never the JSON boxKey
    }
    expect(codes).toEqual({ omitted: 'unauthorized', substituted: 'bad_signature', otherUser: 'unauthorized', genuine: 'ok' });

    // TOFU (KEY-2): a new signing key under a pinned username is key_changed, surfaced and not stored.
    const storage = createMemoryStorage();
    const vault = createMemoryVault(crypto);
    const keys = await loadKeyStore(crypto, storage, vault);
    const first = keys.observeUser('bob', real);
    expect(first.ok).toBe(true);
    if (first.ok) await storage.commit(first.value);
    const changed = keys.observeUser('Bob', bobNew!.public);
    expect(changed.ok ? 'ok' : changed.error.code).toBe('key_changed');
    expect(keys.user(bobNew!.userId)).toBeUndefined();
    const reloaded = await loadKeyStore(crypto, storage, vault);
    const again = reloaded.observeUser('bob', bobNew!.public);
    expect(again.ok ? 'ok' : again.error.code).toBe('key_changed');
    expect(toHex(reloaded.user(real.userId)?.boxKey ?? new Uint8Array())).toBe(toHex(real.boxKey));
    console.log(`C1 lookup: ${Object.entries(codes).map(([k, v]) => `${k}=${v}`).join(', ')}; TOFU key_changed before and after reload`);
  });
});
