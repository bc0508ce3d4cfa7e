import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deriveUserId, toHex } from '../ids.js';
import { createDeviceId, decodePublicIdentity, encodePublicIdentity, safetyNumber } from './identity.js';
import { createKeyDirectory } from './key-directory.js';
import { SecretKey } from './secret-key.js';
import { flipBit, makeUser, testCrypto } from './test-kit.js';

describe('identities (KEY-1, KEY-2)', () => {
  it('KEY-1 the user id is derived from the signing key and the box key is bound by its signature', async () => {
    const crypto = await testCrypto();
    const alice = makeUser(crypto, 'alice');
    const mallory = makeUser(crypto, 'mallory');
    expect(alice.id).toBe(deriveUserId(alice.identity.public.signingKey));
    const wire = encodePublicIdentity(alice.identity.public);
    const back = decodePublicIdentity(crypto, wire);
    expect(back.ok && back.value.userId).toBe(alice.id);
    // the relay swaps in a box key it controls
    const swapped = wire.slice();
    swapped.set(mallory.identity.public.boxKey, 32);
    const r = decodePublicIdentity(crypto, swapped);
    expect(r.ok ? 'ok' : r.error.code).toBe('bad_signature');
    let accepted = 0;
    for (let bit = 0; bit < wire.length * 8; bit += 5) if (decodePublicIdentity(crypto, flipBit(wire, bit)).ok) accepted++;
    expect(accepted).toBe(0);
    expect(decodePublicIdentity(crypto, wire.subarray(0, 100)).ok).toBe(false);
  });

  it('KEY-2 safety numbers are 60 digits, stable and order-independent; they differ per pair', async () => {
    const crypto = await testCrypto();
    const [a, b, c] = ['alice', 'bob', 'carol'].map((n) => makeUser(crypto, n).identity.public);
    const ab = safetyNumber(crypto, a!, b!);
    expect(ab).toMatch(/^\d{60}$/);
    expect(safetyNumber(crypto, b!, a!)).toBe(ab);
    expect(safetyNumber(crypto, a!, c!)).not.toBe(ab);
    expect(safetyNumber(crypto, makeUser(crypto, 'alice').identity.public, b!)).toBe(ab);
  });

  it('KEY-2 the TOFU directory surfaces a changed key for a known username and never stores it silently', async () => {
    const crypto = await testCrypto();
    const dir = createKeyDirectory();
    const bob = makeUser(crypto, 'bob').identity.public;
    const impostor = makeUser(crypto, 'bob-impostor').identity.public;
    expect(dir.observe('Bob', bob)).toEqual({ ok: true, value: 'new' });
    expect(dir.observe('bob ', bob)).toEqual({ ok: true, value: 'same' });
    expect(dir.markVerified('bob').ok).toBe(true);
    const changed = dir.observe('BOB', impostor);
    expect(changed.ok ? 'ok' : changed.error.code).toBe('key_changed');
    expect(dir.get('bob')?.identity.userId).toBe(bob.userId);
    expect(dir.get('bob')?.verified).toBe(true);
    dir.acceptChange('bob', impostor);
    expect(dir.get('bob')?.identity.userId).toBe(impostor.userId);
    expect(dir.get('bob')?.verified).toBe(false);
    expect(dir.byUser(bob.userId)).toBeUndefined();
  });

  it('secrets never reach logs: JSON, String and inspect print [secret]', async () => {
    const crypto = await testCrypto();
    const s = new SecretKey(new Uint8Array(32).fill(0xab));
    const alice = makeUser(crypto, 'alice');
    const bundle = alice.identity.exportBundle();
    for (const text of [JSON.stringify({ s, bundle }), String(s), inspect(s), inspect({ nested: { bundle } }), bundle.toString()]) {
      expect(text).toContain('[secret]');
      expect(text).not.toMatch(/171|ab,ab|abab/);
    }
    expect(inspect(alice.identity, { depth: 10 })).not.toContain(toHex(bundle.expose()).slice(0, 16));
    expect(createDeviceId(crypto)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
