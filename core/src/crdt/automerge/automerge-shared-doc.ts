import * as A from '@automerge/automerge';
import type { SharedDocBackend } from '../../ports/shared-doc.js';
import { fail, ok, type Result } from '../../errors.js';
import { encodeHex } from '../../protocol/hex.js';
import { createCausalQueue, type ChangeChunk } from './causal-queue.js';
import { splitAutomergeChunks } from './split-chunks.js';

/** Where a new state of a shared Automerge document came from. */
export type AutomergeChangeOrigin = 'local' | 'remote';

/**
 * A shared Automerge document, open on this device (ADR 0026). An Automerge document is
 * immutable, so this handle holds the current one and is how the app edits it: `doc()` is the
 * current document, `change(fn)` is `Automerge.change` on it, `onChange` reports every new
 * state. Changes from other members are applied one at a time in causal order (ADR 0011).
 */
export interface AutomergeDocHandle<T> {
  /** The current document (a new object after every change; never edit it with `Automerge.change` directly). */
  doc(): A.Doc<T>;
  /** The current heads (hashes of the changes nothing else depends on yet). */
  heads(): A.Heads;
  /** A local edit, as `Automerge.change(doc(), options, fn)`: Kith stores, seals and sends its change. */
  change(fn: A.ChangeFn<T>, options?: A.ChangeOptions<T>): A.Doc<T>;
  /**
   * Runs `fn` on the current document and adopts what it returns (a sync protocol step such as
   * `Automerge.receiveSyncMessage`, a `merge`): every change the result has that the document
   * did not is a local edit. `fn` may leave its argument outdated.
   */
  update(fn: (doc: A.Doc<T>) => A.Doc<T>): A.Doc<T>;
  /** Every new state: my edits (`local`) and other members' changes applied (`remote`). */
  onChange(listener: (doc: A.Doc<T>, origin: AutomergeChangeOrigin) => void): () => void;
}

/** A bound on changes held for missing dependencies (a hostile member could send many). */
const MAX_HELD = 10_000;

/**
 * Parses the bytes of a shared-document change: one or more Automerge CHANGE chunks (a whole
 * document chunk is refused: local edits never produce one), each checked before any is applied
 * (framing, checksum, a full decode; a compressed one is also loaded into a scratch document).
 */
export function parseAutomergeChanges(bytes: Uint8Array): Result<ChangeChunk[]> {
  if (!(bytes instanceof Uint8Array)) return fail('malformed', 'Automerge changes must be bytes');
  const chunks = splitAutomergeChunks(bytes);
  if (chunks === null) return fail('malformed', 'not Automerge storage chunks');
  const out: ChangeChunk[] = [];
  for (const chunk of chunks) {
    const type = chunk[8];
    if (type !== 1 && type !== 2) return fail('malformed', 'a shared Automerge document takes change chunks only');
    try {
      const meta = A.decodeChange(chunk);
      if (type === 1 && !meta.hash.startsWith(encodeHex(chunk.subarray(4, 8)))) return fail('malformed', 'an Automerge change fails its checksum');
      if (type === 2) A.loadIncremental(A.init(), chunk);
      out.push({ chunk: chunk.slice(), hash: meta.hash, deps: meta.deps });
    } catch (cause) {
      return fail('malformed', 'an Automerge change does not decode', cause);
    }
  }
  return ok(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Internals {
  apply(payload: Uint8Array): boolean;
  onLocal(listener: (payload: Uint8Array) => void): () => void;
}

const internals = new WeakMap<object, Internals>();

function createHandle<T>(): AutomergeDocHandle<T> {
  let doc = A.init<T>();
  const queue = createCausalQueue((hash) => A.hasHeads(doc, [hash]));
  const localListeners = new Set<(payload: Uint8Array) => void>();
  const changeListeners = new Set<(doc: A.Doc<T>, origin: AutomergeChangeOrigin) => void>();
  let rejected = 0;

  const emitChange = (origin: AutomergeChangeOrigin): void => {
    for (const l of changeListeners) l(doc, origin);
  };
  // ONE change per loadIncremental, only once its dependencies are in (ADR 0011).
  const load = (chunk: Uint8Array): void => {
    try {
      doc = A.loadIncremental(doc, chunk);
    } catch {
      rejected++; // parsed, but Automerge refused it: dropped (the others still apply)
    }
  };
  /** Reports the changes added since `before` as one local edit, then releases held ones they unblock. */
  const adopt = (before: A.Heads): void => {
    const added = A.getChangesSince(doc, before);
    if (added.length === 0) return;
    const payload = concat(added);
    for (const l of localListeners) l(payload);
    queue.release(
      queue.awaited().filter((h) => A.hasHeads(doc, [h])),
      load,
    );
    emitChange('local');
  };

  const handle: AutomergeDocHandle<T> = {
    doc: () => doc,
    heads: () => A.getHeads(doc),
    change(fn, options) {
      const before = A.getHeads(doc);
      doc = options === undefined ? A.change(doc, fn) : A.change(doc, options, fn);
      adopt(before);
      return doc;
    },
    update(fn) {
      const before = A.getHeads(doc);
      const next = fn(doc);
      if (!A.isAutomerge(next)) throw new TypeError('update must return an Automerge document');
      doc = next;
      adopt(before);
      return doc;
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
  };

  internals.set(handle, {
    apply(payload) {
      const parsed = parseAutomergeChanges(payload);
      if (!parsed.ok) return false;
      const start = doc;
      const failedBefore = rejected;
      for (const one of parsed.value) {
        if (A.hasHeads(doc, [one.hash])) continue;
        if (one.deps.every((d) => A.hasHeads(doc, [d]))) {
          load(one.chunk);
          queue.release([one.hash], load);
        } else if (queue.size < MAX_HELD) {
          queue.hold(one);
        } else {
          rejected++;
        }
      }
      if (doc !== start) emitChange('remote');
      return rejected === failedBefore;
    },
    onLocal(listener) {
      localListeners.add(listener);
      return () => void localListeners.delete(listener);
    },
  });
  return handle;
}

function expectInternals(handle: object): Internals {
  const inner = internals.get(handle);
  if (inner === undefined) throw new TypeError('not a shared Automerge document handle');
  return inner;
}

/**
 * The Automerge backend of shared documents (ADR 0026): `kith.docs.open(conv, name, { backend:
 * automergeSharedDocs })` gives an `AutomergeDocHandle`. Every edit made through the handle
 * (`change`, `update`) is a local edit; changes from other members are applied one at a time,
 * held until their dependencies are in. A change payload is the edit's Automerge change chunks.
 */
export const automergeSharedDocs: SharedDocBackend<AutomergeDocHandle<Record<string, unknown>>> = {
  name: 'automerge',
  create: () => createHandle<Record<string, unknown>>(),
  apply: (handle, payload) => expectInternals(handle).apply(payload),
  onLocal: (handle, listener) => expectInternals(handle).onLocal(listener),
};

/** `automergeSharedDocs` typed for documents of shape `T` (the same backend: one document either way). */
export function automergeSharedDocsOf<T>(): SharedDocBackend<AutomergeDocHandle<T>> {
  return automergeSharedDocs as unknown as SharedDocBackend<AutomergeDocHandle<T>>;
}
