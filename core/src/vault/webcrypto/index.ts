export { createWebCryptoVault } from './webcrypto-vault.js';
export type { WebCryptoVaultOptions } from './webcrypto-vault.js';
export { createIndexedDbKeyStore } from './indexeddb-key-store.js';
export type { IndexedDbKeyStoreOptions } from './indexeddb-key-store.js';
export { createMemoryVaultKeyStore } from './vault-key-store.js';
export type { VaultKeyStore } from './vault-key-store.js';
