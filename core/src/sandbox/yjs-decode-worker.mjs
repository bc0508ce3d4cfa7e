// The decode sandbox's worker entry for a Node `worker_threads` worker or a browser module Web
// Worker (same file; the decoder itself is yjs-decoder.mjs). The Node child-process entry is
// yjs-decode-child.mjs. Plain JavaScript on purpose: a worker must load without the TypeScript
// toolchain.
import { createYjsDecoder } from './yjs-decoder.mjs';

/** The channel to the main thread: Node's parentPort, or the Web Worker global scope. */
const port = await (async () => {
  const isWebWorker = typeof globalThis.WorkerGlobalScope === 'function' && globalThis instanceof globalThis.WorkerGlobalScope;
  if (isWebWorker) {
    return { post: (m) => globalThis.postMessage(m), listen: (fn) => globalThis.addEventListener('message', (e) => fn(e.data)) };
  }
  const { parentPort } = await import('node:worker_threads');
  return { post: (m) => parentPort.postMessage(m), listen: (fn) => parentPort.on('message', fn) };
})();

const decoder = createYjsDecoder();
port.listen((m) => port.post(decoder.handle(m)));
port.post({ id: 0, ready: true });
