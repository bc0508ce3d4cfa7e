import * as A from '@automerge/automerge';
import { assert, fail, ok, type Result } from '../../errors.js';
import type { CrdtBackend, CrdtDocument, CrdtDocumentOptions, CrdtEvent, Json } from '../../ports/crdt.js';
import { isStoredJson } from '../json.js';
import { actorBytes, createListeners, isCollectionName, isKey, normalizeMutations, sortTouched } from '../mutations.js';
import { splitAutomergeChunks } from './split-chunks.js';

/**
 * The Automerge 3 implementation of the CRDT port.
 *
 * Layout: ONE flat root map whose keys are `<collection>/<key>` (collection names cannot hold
 * `/`). Per-collection maps would need to be created by whichever replica writes first, and
 * two replicas creating the same map concurrently make two map objects of which only one
 * survives — silently losing the other's entries. A flat root has no such race.
 *
 * Values: each value is stored as ONE `ImmutableString` holding its JSON text — a single op
 * per entry instead of one per field (faster change, smaller saves, ~3× faster loads than
 * collaborative text), and it reads back byte-exact, key order included, like Yjs.
 *
 * Changes are Automerge change chunks (`getLastLocalChange`); `save` is a document chunk;
 * `changesSince(heads)` is `saveSince`; `version()` is the sorted heads, 32 raw bytes each.
 * Change timestamps are written as 0: ordering is the domain's hybrid logical clock, and a
 * wall-clock time inside every change would only be extra metadata.
 */
export function createAutomergeBackend(): CrdtBackend {
  return {
    name: 'automerge',
    create: (options?: CrdtDocumentOptions) => openAutomergeDocument(options),
    load(saved: Uint8Array, options?: CrdtDocumentOptions): Result<CrdtDocument> {
      const doc = openAutomergeDocument(options);
      const applied = doc.apply(saved);
      return applied.ok ? ok(doc) : fail('malformed', 'saved Automerge document does not load');
    },
  };
}

type Root = Record<string, unknown>;
const INVALID = Symbol('invalid');
const decoded = new WeakMap<object, Json | typeof INVALID>();
let emptySave: Uint8Array | undefined;

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function encodeHeads(heads: readonly string[]): Uint8Array {
  const sorted = [...heads].sort();
  const out = new Uint8Array(32 * sorted.length);
  sorted.forEach((h, i) => {
    for (let j = 0; j < 32; j++) out[32 * i + j] = parseInt(h.slice(2 * j, 2 * j + 2), 16);
  });
  return out;
}

function decodeHeads(version: Uint8Array): string[] | null {
  if (!(version instanceof Uint8Array) || version.length % 32 !== 0) return null;
  const heads: string[] = [];
  for (let i = 0; i < version.length; i += 32) heads.push(toHex(version.subarray(i, i + 32)));
  return heads;
}

function readValue(raw: unknown): Json | undefined {
  if (!(raw instanceof A.ImmutableString)) return undefined;
  let value = decoded.get(raw);
  if (value === undefined) {
    try {
      const parsed: unknown = JSON.parse(raw.val);
      value = isStoredJson(parsed) ? parsed : INVALID;
    } catch {
      value = INVALID;
    }
    decoded.set(raw, value);
  }
  return value === INVALID ? undefined : value;
}

/** A bound on changes held back for missing dependencies (a hostile peer could send many). */
const MAX_PENDING = 10_000;

interface ParsedChunk {
  readonly chunk: Uint8Array;
  /** Set for change chunks; a document chunk carries its whole causal history. */
  readonly hash?: string;
  readonly deps: string[];
}

/**
 * Parses one chunk without touching the document. Change chunks are decoded for their hash and
 * dependencies, and their checksum (the first 4 bytes of the hash) is verified. Other chunks,
 * and every chunk of a multi-chunk input, are also parsed into a scratch document.
 *
 * Why the backend keeps its own queue of changes whose dependencies are missing rather than
 * letting Automerge queue them: with Automerge 3.5, changes applied out of causal order (with
 * deletes among them) left the materialized document different from the document's real state
 * (a reload showed the right values) — found by this suite's commutativity test.
 */
function parseChunk(chunk: Uint8Array, alwaysScratch: boolean): ParsedChunk | null {
  const type = chunk[8];
  let result: ParsedChunk = { chunk, deps: [] };
  try {
    if (type === 1 || type === 2) {
      const meta = A.decodeChange(chunk);
      if (type === 1 && !meta.hash.startsWith(toHex(chunk.subarray(4, 8)))) return null;
      result = { chunk, hash: meta.hash, deps: meta.deps };
    }
    if (type !== 1 || alwaysScratch) A.loadIncremental(A.init(), chunk);
  } catch {
    return null;
  }
  return result;
}

function parseFlatKey(flat: unknown): { collection: string; key: string } | null {
  if (typeof flat !== 'string') return null;
  const slash = flat.indexOf('/');
  const collection = flat.slice(0, slash);
  const key = flat.slice(slash + 1);
  return slash > 0 && isCollectionName(collection) && isKey(key) ? { collection, key } : null;
}

function openAutomergeDocument(options: CrdtDocumentOptions | undefined): CrdtDocument {
  let doc = A.init<Root>({ actor: toHex(actorBytes(options?.actor)) });
  const sortedKeys = new Map<string, string[]>();
  const listeners = createListeners();
  /** Changes whose dependencies have not arrived, by hash (see `parseChunk`). */
  const pending = new Map<string, ParsedChunk>();

  /** For each missing dependency, the pending changes waiting on it. */
  const waiting = new Map<string, Set<string>>();

  function hold(one: ParsedChunk & { hash: string }): void {
    pending.set(one.hash, one);
    for (const dep of one.deps) {
      if (!A.hasHeads(doc, [dep])) {
        let set = waiting.get(dep);
        if (set === undefined) waiting.set(dep, (set = new Set()));
        set.add(one.hash);
      }
    }
  }

  /** Applies held changes that `arrived` (hashes now in the document) unblocked, transitively. */
  function release(arrived: string[], load: (chunk: Uint8Array) => void): void {
    const queue = [...arrived];
    while (queue.length > 0) {
      const hash = queue.pop()!;
      const waiters = waiting.get(hash);
      if (waiters === undefined) continue;
      waiting.delete(hash);
      for (const w of waiters) {
        const one = pending.get(w);
        if (one === undefined) continue;
        pending.delete(w);
        if (A.hasHeads(doc, [w])) continue;
        if (A.hasHeads(doc, one.deps)) {
          load(one.chunk);
          queue.push(w);
        } else {
          hold(one as ParsedChunk & { hash: string });
        }
      }
    }
  }

  function get(collection: string, key: string): Json | undefined {
    return readValue(doc[`${collection}/${key}`]);
  }

  function keys(collection: string): string[] {
    let cached = sortedKeys.get(collection);
    if (cached === undefined) {
      const prefix = `${collection}/`;
      cached = [];
      for (const [flat, raw] of Object.entries(doc)) {
        if (flat.startsWith(prefix) && readValue(raw) !== undefined) cached.push(flat.slice(prefix.length));
      }
      cached.sort();
      sortedKeys.set(collection, cached);
    }
    return [...cached];
  }

  function touch(origin: CrdtEvent['origin'], touched: Array<{ collection: string; key: string }>): CrdtEvent['keys'] {
    const keys = sortTouched(touched);
    for (const k of keys) sortedKeys.delete(k.collection);
    if (keys.length > 0) listeners.emit({ origin, keys });
    return keys;
  }

  return {
    backend: 'automerge',
    get,
    keys,
    entries: (collection) => keys(collection).map((key) => [key, get(collection, key)!]),
    collections() {
      const names = new Set<string>();
      for (const flat of Object.keys(doc)) {
        const parsed = parseFlatKey(flat);
        if (parsed !== null) names.add(parsed.collection);
      }
      return [...names].filter((name) => keys(name).length > 0).sort();
    },
    change(mutations) {
      const list = normalizeMutations(mutations, get);
      if (list.length === 0) return null;
      doc = A.change(doc, { time: 0 }, (d) => {
        for (const m of list) {
          const flat = `${m.collection}/${m.key}`;
          if (m.op === 'set') d[flat] = new A.ImmutableString(JSON.stringify(m.value));
          else delete d[flat];
        }
      });
      const change = A.getLastLocalChange(doc);
      assert(change !== undefined, 'an Automerge change with mutations records a change');
      touch('local', list.map((m) => ({ collection: m.collection, key: m.key })));
      return change;
    },
    apply(bytes) {
      const chunks = splitAutomergeChunks(bytes);
      if (chunks === null) return fail('malformed', 'not Automerge storage chunks');
      const parsed: ParsedChunk[] = [];
      for (const chunk of chunks) {
        const one = parseChunk(chunk, chunks.length > 1);
        if (one === null) return fail('malformed', 'an Automerge chunk does not parse');
        parsed.push(one);
      }
      const touched: Array<{ collection: string; key: string }> = [];
      const patchCallback = (patches: A.Patch[]): void => {
        for (const p of patches) {
          const key = parseFlatKey(p.path[0]);
          if (key !== null) touched.push(key);
        }
      };
      const load = (chunk: Uint8Array): void => {
        doc = A.loadIncremental(doc, chunk, { patchCallback });
      };
      try {
        for (const one of parsed) {
          if (one.hash === undefined) {
            load(one.chunk); // a whole document: any held change may now fit
            release([...waiting.keys()].filter((h) => A.hasHeads(doc, [h])), load);
          } else if (A.hasHeads(doc, [one.hash])) {
            continue;
          } else if (A.hasHeads(doc, one.deps)) {
            load(one.chunk);
            release([one.hash], load);
          } else if (pending.size < MAX_PENDING) {
            hold({ ...one, hash: one.hash });
          } else {
            return fail('too_large', 'too many changes wait for their dependencies');
          }
        }
      } catch {
        // Only reachable for a chunk that parsed but that Automerge refused to apply.
        touch('remote', touched);
        return fail('malformed', 'Automerge rejected the change');
      }
      return ok({ keys: touch('remote', touched) });
    },
    version: () => encodeHeads(A.getHeads(doc)),
    changesSince(version) {
      const heads = version === undefined ? [] : (decodeHeads(version) ?? []);
      const known = heads.filter((h) => A.hasHeads(doc, [h]));
      const out = known.length === 0 ? A.save(doc) : A.saveSince(doc, known);
      // "nothing missing" must still be valid input for apply: an empty document chunk.
      return out.length > 0 ? out : (emptySave ??= A.save(A.init()));
    },
    save: () => A.save(doc),
    on: (listener) => listeners.add(listener),
  };
}
