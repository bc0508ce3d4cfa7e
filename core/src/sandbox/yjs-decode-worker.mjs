// The decode sandbox's entry for a Node `worker_threads` worker (node/node-worker-host.ts). The
// browser Web Worker entry is yjs-decode-web-worker.mjs, the Node child-process entry
// yjs-decode-child.mjs; the decoder itself is yjs-decoder.mjs. Plain JavaScript on purpose: a
// worker must load without the TypeScript toolchain.
import { parentPort } from 'node:worker_threads';
import { createYjsDecoder } from './yjs-decoder.mjs';

if (parentPort === null) {
  process.stderr.write('yjs-decode-worker.mjs: start me as a worker_threads Worker\n');
  process.exit(2);
}
const port = parentPort;
const decoder = createYjsDecoder();
port.on('message', (m) => port.postMessage(decoder.handle(m)));
port.postMessage({ id: 0, ready: true });
