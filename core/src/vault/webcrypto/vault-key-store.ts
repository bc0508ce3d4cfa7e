/**
 * Where the WebCrypto vault keeps its CryptoKey. The key is stored as the CryptoKey object itself
 * (structured clone), never as bytes: a non-extractable key cannot be exported by anyone.
 */
export interface VaultKeyStore {
  /**
   * The stored key; if there is none, `candidate` is stored and returned. Atomic: two openers
   * racing (two tabs) end up with the same key.
   */
  getOrPut(candidate: CryptoKey): Promise<CryptoKey>;
}

/** A key store in memory (tests; a runtime whose IndexedDB cannot hold a CryptoKey). */
export function createMemoryVaultKeyStore(): VaultKeyStore {
  let key: CryptoKey | undefined;
  return {
    getOrPut(candidate) {
      key ??= candidate;
      return Promise.resolve(key);
    },
  };
}
