import { describe, expect, it } from 'vitest';
import { createSodiumCrypto } from '../../crypto/sodium/sodium-crypto.js';
import { runVaultConformance } from '../../testing/vault-conformance.js';
import { createMemoryVault } from './memory-vault.js';

const crypto = await createSodiumCrypto();
runVaultConformance('memory', () => Promise.resolve(createMemoryVault(crypto)));

describe('memory vault', () => {
  it('reopens what an earlier instance with the same key wrapped', async () => {
    const key = new Uint8Array(32).fill(7);
    const wrapped = await createMemoryVault(crypto, key).wrap(Uint8Array.of(1, 2, 3), Uint8Array.of(9));
    const back = await createMemoryVault(crypto, key).unwrap(wrapped, Uint8Array.of(9));
    expect(back).toEqual({ ok: true, value: Uint8Array.of(1, 2, 3) });
  });

  it('LOC-1 format 0x02: 0x02 ‖ 24-byte nonce ‖ XChaCha20-Poly1305 ciphertext ‖ tag, AD "kith/v1/vault" ‖ 0 ‖ 0x02 ‖ aad', async () => {
    const key = new Uint8Array(32).fill(3);
    const plain = new TextEncoder().encode('a secret at rest');
    const aad = new TextEncoder().encode('kith/v1/local/some-entry');
    const wrapped = await createMemoryVault(crypto, key).wrap(plain, aad);
    expect(wrapped[0]).toBe(0x02);
    expect(wrapped.length).toBe(1 + 24 + plain.length + 16);
    const ad = Uint8Array.of(...new TextEncoder().encode('kith/v1/vault'), 0x00, 0x02, ...aad);
    expect(crypto.aeadDecrypt(wrapped.subarray(25), ad, wrapped.subarray(1, 25), key)).toEqual(plain);
    expect(crypto.aeadDecrypt(wrapped.subarray(25), aad, wrapped.subarray(1, 25), key)).toBeNull(); // the prefix is bound
  });
});
