// @kith/core/automerge-repo: end-to-end encryption for unmodified automerge-repo apps (ADR 0026).
export { KithNetworkAdapter, sharedDocNameOf } from './kith-network-adapter.js';
export type { KithNetworkAdapterOptions } from './kith-network-adapter.js';
