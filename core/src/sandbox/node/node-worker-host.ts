import { Worker } from 'node:worker_threads';
import type { SandboxHost, SandboxResponse, SandboxWorker } from '../sandbox-protocol.js';

export interface NodeWorkerHostOptions {
  /** Heap limit of each worker in MiB (a hostile update must not exhaust the process). */
  readonly maxHeapMb?: number;
}

/** The sandbox host on Node's `worker_threads`. */
export function createNodeWorkerHost(options: NodeWorkerHostOptions = {}): SandboxHost {
  const url = new URL('../yjs-decode-worker.mjs', import.meta.url);
  return {
    spawn(): SandboxWorker {
      const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 256 } });
      worker.unref();
      let exited = false;
      const exitListeners: Array<(reason: string) => void> = [];
      const exit = (reason: string): void => {
        if (exited) return;
        exited = true;
        for (const l of exitListeners) l(reason);
      };
      worker.on('error', (e) => exit(e.name));
      worker.on('exit', (code) => exit(`exit ${code}`));
      return {
        post: (request) => worker.postMessage(request),
        onMessage: (listener) => worker.on('message', (m: SandboxResponse) => listener(m)),
        onExit: (listener) => exitListeners.push(listener),
        terminate: () => {
          exited = true;
          void worker.terminate();
        },
      };
    },
  };
}
