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
});
