// The decode sandbox's decoder, shared by every worker entry (yjs-decode-worker.mjs / yjs-decode-web-worker.mjs for
// `worker_threads` and Web Workers, yjs-decode-child.mjs for the Node child process). It keeps
// mirror replicas of documents and applies each untrusted update to its mirror first; the main
// side kills the whole worker if Yjs hangs or exhausts memory here.
// Plain JavaScript on purpose: a worker must load without the TypeScript toolchain.
import * as Y from 'yjs';

const MAX_MIRRORS = 64;

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

/**
 * A decoder with its own mirrors. `handle(request)` answers one SandboxRequest
 * (sandbox-protocol.ts) with its SandboxResponse; it never throws.
 */
export function createYjsDecoder() {
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

  function drop(doc) {
    mirrors.get(doc)?.destroy();
    mirrors.delete(doc);
  }

  /** One update of a request (the first, or one of `rest`), against the doc's mirror. */
  function applyOne(m, update, base) {
    if (m.scope && !inScope({ format: m.format, scope: m.scope, update })) return 'out_of_scope';
    const d = mirrorOf(m.doc, base);
    const before = new Set(d.share.keys());
    if (m.format === 'yjs-v2') Y.applyUpdateV2(d, update);
    else Y.applyUpdate(d, update);
    return [...d.share.keys()].filter((k) => !before.has(k));
  }

  function handle(m) {
    if (m === null || typeof m !== 'object' || typeof m.id !== 'number' || !(m.update instanceof Uint8Array)) {
      return { id: typeof m?.id === 'number' ? m.id : -1, ok: false, reason: 'bad_request' };
    }
    const rest = m.rest ?? [];
    if (!Array.isArray(rest) || !rest.every((u) => u instanceof Uint8Array)) return { id: m.id, ok: false, reason: 'bad_request' };
    for (const doc of m.forget ?? []) drop(doc);
    // BATCH-10: a range's updates in order; the first refusal ends the request (`at` names it).
    const roots = [];
    const updates = [m.update, ...rest];
    for (let i = 0; i < updates.length; i++) {
      try {
        const r = applyOne(m, updates[i], i === 0 ? m.base : undefined);
        if (r === 'out_of_scope') return { id: m.id, ok: false, reason: 'out_of_scope', at: i };
        roots.push(...r);
      } catch (error) {
        // A half-applied update may have corrupted the mirror: drop it; the next request reloads it.
        drop(m.doc);
        return { id: m.id, ok: false, reason: error instanceof Error ? error.name : 'error', at: i };
      }
    }
    return { id: m.id, ok: true, roots };
  }

  return { handle };
}
