// @kith/core/conformance — the contract suites every port implementation runs (needs vitest).
export { runClockConformance } from './clock-conformance.js';
export { runRandomConformance } from './random-conformance.js';
export { runStorageConformance } from './storage-conformance.js';
export type { MakeStorage, StorageConformanceOptions } from './storage-conformance.js';
export { runCryptoConformance } from './crypto-conformance.js';
export { runCrdtBackendConformance } from './crdt-conformance.js';
export { runVaultConformance } from './vault-conformance.js';
