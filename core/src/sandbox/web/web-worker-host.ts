import type { SandboxHost, SandboxResponse, SandboxWorker } from '../sandbox-protocol.js';

/**
 * The sandbox host on browser module Web Workers. `url` defaults to the worker shipped next to
 * this file; bundlers (Vite) recognise `new URL('…', import.meta.url)` and bundle `yjs` into it.
 */
export function createWebWorkerHost(url: URL = new URL('../yjs-decode-web-worker.mjs', import.meta.url)): SandboxHost {
  return {
    spawn(): SandboxWorker {
      const worker = new Worker(url, { type: 'module', name: 'kith-decode-sandbox' });
      let exited = false;
      const exitListeners: Array<(reason: string) => void> = [];
      const exit = (reason: string): void => {
        if (exited) return;
        exited = true;
        for (const l of exitListeners) l(reason);
      };
      worker.addEventListener('error', () => exit('error'));
      worker.addEventListener('messageerror', () => exit('messageerror'));
      return {
        post: (request) => worker.postMessage(request),
        onMessage: (listener) => worker.addEventListener('message', (e: MessageEvent<SandboxResponse>) => listener(e.data)),
        onExit: (listener) => exitListeners.push(listener),
        terminate: () => {
          exited = true;
          worker.terminate();
        },
      };
    },
  };
}
