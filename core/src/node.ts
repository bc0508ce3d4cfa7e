// @kith/core/node — adapters that need Node built-ins (child_process, worker_threads). Browser bundles never import this.
// The recommended decode-sandbox host on Node is createNodeProcessHost (ADR 0010): a hostile update that
// exhausts V8's heap kills a child process, never the peer. createNodeWorkerHost is kept for hosts that
// cannot fork; it is not out-of-memory safe (resourceLimits do not contain every V8 OOM abort).
export { createNodeProcessHost } from './sandbox/node/node-process-host.js';
export type { NodeProcessHostOptions } from './sandbox/node/node-process-host.js';
export { createNodeWorkerHost } from './sandbox/node/node-worker-host.js';
export type { NodeWorkerHostOptions } from './sandbox/node/node-worker-host.js';
