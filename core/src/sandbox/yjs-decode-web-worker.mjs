// The decode sandbox's entry for a browser module Web Worker (web/web-worker-host.ts; the
// `@kith/core/sandbox-worker` export). The Node worker_threads entry is yjs-decode-worker.mjs and
// the Node child-process entry yjs-decode-child.mjs; all three share yjs-decoder.mjs. No Node
// built-in is reachable from here (PKG-2), so bundlers need no alias. Plain JavaScript on purpose.
import { createYjsDecoder } from './yjs-decoder.mjs';

const decoder = createYjsDecoder();
globalThis.addEventListener('message', (e) => globalThis.postMessage(decoder.handle(e.data)));
globalThis.postMessage({ id: 0, ready: true });
