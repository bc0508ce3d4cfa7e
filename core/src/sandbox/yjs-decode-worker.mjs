// The decode sandbox's worker: a Node `worker_threads` worker or a browser module Web Worker
// (same file). It keeps mirror replicas of documents and applies each untrusted update to its
// mirror first. If Yjs hangs, the main thread kills this worker.
// Plain JavaScript on purpose: a worker must load without the TypeScript toolchain.
import * as Y from 'yjs';

/** The channel to the main thread: Node's parentPort, or the Web Worker global scope. */
const port = await (async () => {
  const isWebWorker = typeof globalThis.WorkerGlobalScope === 'function' && globalThis instanceof globalThis.WorkerGlobalScope;
  if (isWebWorker) {
    return { post: (m) => globalThis.postMessage(m), listen: (fn) => globalThis.addEventListener('message', (e) => fn(e.data)) };
  }
  const { parentPort } = await import('node:worker_threads');
  return { post: (m) => parentPort.postMessage(m), listen: (fn) => parentPort.on('message', fn) };
})();

const MAX_MIRRORS = 64;
const mirrors = new Map();

function mirrorOf(doc, base) {
  let d = mirrors.get(doc);
  if (d === undefined) {
    d = new Y.Doc({ gc: true });
    if (base) Y.applyUpdate(d, base);
    mirrors.set(doc, d);
    if (mirrors.size > MAX_MIRRORS) {
      const oldest = mirrors.keys().next().value;
      mirrors.get(oldest)?.destroy();
      mirrors.delete(oldest);
    }
  } else {
    mirrors.delete(doc);
    mirrors.set(doc, d);
  }
  return d;
}

/** SBX-5: the update only writes where its author may write (decoded, not yet applied). */
function inScope(m) {
  const decoded = m.format === 'yjs-v2' ? Y.decodeUpdateV2(m.update) : Y.decodeUpdate(m.update);
  const allowed = new Set(m.scope.roots);
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item)) continue;
    const content = struct.content;
    if (m.scope.flat && !(content instanceof Y.ContentAny) && !(content instanceof Y.ContentDeleted)) return false;
    const parent = struct.parent;
    if (typeof parent === 'string') {
      if (!allowed.has(parent)) return false;
      if (m.scope.flat && typeof struct.parentSub !== 'string') return false;
    } else if (m.scope.flat && parent !== null) {
      return false;
    }
  }
  return true;
}

port.listen((m) => {
  for (const doc of m.forget ?? []) {
    mirrors.get(doc)?.destroy();
    mirrors.delete(doc);
  }
  let roots = [];
  try {
    if (m.scope && !inScope(m)) {
      port.post({ id: m.id, ok: false, reason: 'out_of_scope' });
      return;
    }
    const d = mirrorOf(m.doc, m.base);
    const before = new Set(d.share.keys());
    if (m.format === 'yjs-v2') Y.applyUpdateV2(d, m.update);
    else Y.applyUpdate(d, m.update);
    roots = [...d.share.keys()].filter((k) => !before.has(k));
    port.post({ id: m.id, ok: true, roots });
  } catch (error) {
    // A half-applied update may have corrupted the mirror: drop it; the next request reloads it.
    mirrors.get(m.doc)?.destroy();
    mirrors.delete(m.doc);
    port.post({ id: m.id, ok: false, reason: error instanceof Error ? error.name : 'error' });
  }
});

port.post({ id: 0, ready: true });
