import { describe, expect, it } from 'vitest';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { createMemoryDatabase, createMemoryStorage } from '../storage/memory/memory-storage.js';
import { openDataKey } from './data-key.js';
import { createMemoryVault } from './memory/memory-vault.js';

const crypto = await createSodiumCrypto();

describe('data key (ADR 0012 § Data key, LOC-2)', () => {
  it('is created once, stored wrapped, and reopened by the same vault', async () => {
    const storage = createMemoryStorage();
    const vault = createMemoryVault(crypto);
    const a = await openDataKey(crypto, storage, vault, 'vault/data-key/t');
    const stored = await storage.getMeta('vault/data-key/t');
    expect(stored).toBeInstanceOf(Uint8Array);
    const sealed = a.seal(Uint8Array.of(1, 2, 3), 'entry');
    const b = await openDataKey(crypto, storage, vault, 'vault/data-key/t');
    expect(await storage.getMeta('vault/data-key/t')).toEqual(stored);
    expect(b.open(sealed, 'entry')).toEqual({ ok: true, value: Uint8Array.of(1, 2, 3) });
    const wrong = b.open(sealed, 'other entry');
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('decrypt_failed');
  });

  it('two first opens racing on one storage end up sharing one key', async () => {
    const database = createMemoryDatabase();
    const vault = createMemoryVault(crypto);
    const [a, b] = await Promise.all([openDataKey(crypto, createMemoryStorage({ database }), vault, 'k'), openDataKey(crypto, createMemoryStorage({ database }), vault, 'k')]);
    expect(b.open(a.seal(Uint8Array.of(9), 'x'), 'x').ok).toBe(true);
    expect(a.open(b.seal(Uint8Array.of(8), 'x'), 'x').ok).toBe(true);
  });

  it('another vault or a damaged stored key rejects with decrypt_failed', async () => {
    const storage = createMemoryStorage();
    await openDataKey(crypto, storage, createMemoryVault(crypto), 'k');
    await expect(openDataKey(crypto, storage, createMemoryVault(crypto), 'k')).rejects.toMatchObject({ code: 'decrypt_failed' });
    await storage.commit([{ type: 'putMeta', key: 'k', value: 'not bytes' }]);
    await expect(openDataKey(crypto, storage, createMemoryVault(crypto), 'k')).rejects.toMatchObject({ code: 'decrypt_failed' });
  });
});
