// Device-local key wrapping (ADR 0012): the SecretVault implementations and the data key.
export { createMemoryVault } from './memory/index.js';
export { createWebCryptoVault, createIndexedDbKeyStore, createMemoryVaultKeyStore } from './webcrypto/index.js';
export type { WebCryptoVaultOptions, IndexedDbKeyStoreOptions, VaultKeyStore } from './webcrypto/index.js';
export { openDataKey } from './data-key.js';
export type { DataKey } from './data-key.js';
