// @kith/core/node — adapters that need Node built-ins (worker_threads). Browser bundles never import this.
export { createNodeWorkerHost } from './sandbox/node/node-worker-host.js';
export type { NodeWorkerHostOptions } from './sandbox/node/node-worker-host.js';
