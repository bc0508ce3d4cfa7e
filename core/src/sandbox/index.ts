// Hostile-input decoding: untrusted CRDT updates are decoded off the main thread under a budget.
export { createDecodeSandbox } from './decode-sandbox.js';
export type { DecodeSandbox, DecodeSandboxOptions, QuarantineEntry, SandboxStats } from './decode-sandbox.js';
export type { SandboxHost, SandboxWorker, SandboxRequest, SandboxResponse, UpdateFormat, UpdateScope } from './sandbox-protocol.js';
export { createNodeProcessHost } from './node/node-process-host.js';
export type { NodeProcessHostOptions } from './node/node-process-host.js';
export { createNodeWorkerHost } from './node/node-worker-host.js';
export type { NodeWorkerHostOptions } from './node/node-worker-host.js';
export { createWebWorkerHost } from './web/web-worker-host.js';
export { createHostileCorpus } from './hostile-corpus.js';
export type { HostileCorpus, CorpusItem, CorpusKind, CorpusRandom } from './hostile-corpus.js';
export { gcFloodUpdateV2 } from './crafted-updates.js';
