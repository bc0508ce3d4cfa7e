import * as A from '@automerge/automerge';
import { assert, fail, ok, type Result } from '../../errors.js';
import { decodeHex, encodeHex as toHex } from '../../protocol/hex.js';
import type { CrdtBackend, CrdtDocument, CrdtDocumentOptions, CrdtEvent, Json } from '../../ports/crdt.js';
import { isStoredJson } from '../json.js';
import { actorBytes, createListeners, isCollectionName, isKey, normalizeMutations, sortTouched } from '../mutations.js';
import { createCausalQueue, type ChangeChunk } from './causal-queue.js';
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
 *
 * Causal delivery (docs/adr/0011-automerge-causal-delivery.md): remote changes reach Automerge
 * ONE at a time and only once their dependencies are present; a whole document received by a
 * replica with history is taken apart into the changes it lacks. Automerge 3.5 computes wrong
 * patches for some batches of several changes, and its materialized view then differs from its
 * real state. Changes waiting for dependencies are part of `save` and `changesSince` (appended
 * change chunks), as Yjs keeps its pending structs in every encoded state.
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

function encodeHeads(heads: readonly string[]): Uint8Array {
  const sorted = [...heads].sort();
  const out = new Uint8Array(32 * sorted.length);
  sorted.forEach((h, i) => {
    const head = decodeHex(h, 32);
    assert(head !== undefined, 'an Automerge head is 32 bytes of lowercase hex');
    out.set(head, 32 * i);
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

/** The JSON text of every entry, by flat key: what a replica shows, to compare two of them. */
function rawView(doc: A.Doc<Root>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [flat, raw] of Object.entries(doc)) if (raw instanceof A.ImmutableString) out.set(flat, raw.val);
  return out;
}

/** A bound on changes held back for missing dependencies (a hostile peer could send many). */
const MAX_PENDING = 10_000;

/** One validated storage chunk: a change (with its header) or a whole document, parsed. */
type ParsedChunk =
  | ({ readonly kind: 'change' } & ChangeChunk)
  | { readonly kind: 'document'; readonly chunk: Uint8Array; readonly doc: A.Doc<Root> };

/**
 * Parses one chunk without touching the document. A change chunk is decoded for its hash and
 * dependencies and its checksum (the first 4 bytes of the hash) is verified; when it is one of
 * several chunks it is also loaded into a scratch document, so that a bad chunk is refused
 * before any of the input is applied. A document chunk is loaded into a document of its own
 * (with this replica's actor): `apply` adopts it or loads it together with its own save.
 */
function parseChunk(chunk: Uint8Array, alwaysScratch: boolean, actor: string): ParsedChunk | null {
  const type = chunk[8];
  try {
    if (type === 0) return { kind: 'document', chunk, doc: A.load<Root>(chunk, { actor }) };
    const meta = A.decodeChange(chunk);
    if (type === 1 && !meta.hash.startsWith(toHex(chunk.subarray(4, 8)))) return null;
    if (type === 2 || alwaysScratch) A.loadIncremental(A.init(), chunk);
    return { kind: 'change', chunk, hash: meta.hash, deps: meta.deps };
  } catch {
    return null;
  }
}

type FlatKey = { collection: string; key: string };

function parseFlatKey(flat: unknown): FlatKey | null {
  if (typeof flat !== 'string') return null;
  const slash = flat.indexOf('/');
  const collection = flat.slice(0, slash);
  const key = flat.slice(slash + 1);
  return slash > 0 && isCollectionName(collection) && isKey(key) ? { collection, key } : null;
}

function openAutomergeDocument(options: CrdtDocumentOptions | undefined): CrdtDocument {
  const actor = toHex(actorBytes(options?.actor));
  let doc = A.init<Root>({ actor });
  const sortedKeys = new Map<string, string[]>();
  const listeners = createListeners();
  const queue = createCausalQueue((hash) => A.hasHeads(doc, [hash]));

  /**
   * `bytes` followed by the held changes: like Yjs' pending structs, a change that waits for its
   * dependencies is part of the replica's state. A save without them would lose them for good
   * (a snapshot covers the changes it was taken after; nobody re-sends them).
   */
  function withHeld(bytes: Uint8Array): Uint8Array {
    const held = queue.chunks();
    if (held.length === 0) return bytes;
    const out = new Uint8Array(held.reduce((n, c) => n + c.length, bytes.length));
    out.set(bytes);
    let at = bytes.length;
    for (const c of held) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * A whole document, materialized afresh rather than patched (ADR 0011): the received document
   * itself when it holds everything this replica has (always so for an empty replica; it was
   * loaded by `parseChunk`), otherwise `A.load` of both documents concatenated — a storage
   * format Automerge loads as the union of their changes. What changed is found by comparing
   * the two materializations; held changes the new history unblocks are then released.
   */
  function mergeDocument(other: A.Doc<Root>, chunk: Uint8Array, touched: FlatKey[], load: (c: Uint8Array) => void): void {
    const before = rawView(doc);
    if (A.getHeads(doc).every((h) => A.hasHeads(other, [h]))) {
      doc = other;
    } else {
      const mine = A.save(doc);
      const both = new Uint8Array(mine.length + chunk.length);
      both.set(mine);
      both.set(chunk, mine.length);
      doc = A.load<Root>(both, { actor });
    }
    const after = rawView(doc);
    for (const flat of new Set([...before.keys(), ...after.keys()])) {
      const key = before.get(flat) === after.get(flat) ? null : parseFlatKey(flat);
      if (key !== null) touched.push(key);
    }
    queue.release(queue.awaited().filter((h) => A.hasHeads(doc, [h])), load);
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
        const one = parseChunk(chunk, chunks.length > 1, actor);
        if (one === null) return fail('malformed', 'an Automerge chunk does not parse');
        parsed.push(one);
      }
      const touched: FlatKey[] = [];
      const patchCallback = (patches: A.Patch[]): void => {
        for (const p of patches) {
          const key = parseFlatKey(p.path[0]);
          if (key !== null) touched.push(key);
        }
      };
      // ONE change per loadIncremental: Automerge 3.5 can compute wrong patches for a batch of
      // several changes (a value set concurrently with one the same batch deletes stays hidden),
      // so the materialized document would differ from its real state (ADR 0011).
      const load = (chunk: Uint8Array): void => {
        doc = A.loadIncremental(doc, chunk, { patchCallback });
      };
      const applyChange = (one: ChangeChunk): Result<null> => {
        if (A.hasHeads(doc, [one.hash])) return ok(null);
        if (A.hasHeads(doc, [...one.deps])) {
          load(one.chunk);
          queue.release([one.hash], load);
        } else if (queue.size < MAX_PENDING) {
          queue.hold(one);
        } else {
          return fail('too_large', 'too many changes wait for their dependencies');
        }
        return ok(null);
      };
      try {
        for (const one of parsed) {
          if (one.kind === 'change') {
            const done = applyChange(one);
            if (!done.ok) return (touch('remote', touched), done);
          } else {
            mergeDocument(one.doc, one.chunk, touched, load);
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
      return withHeld(out.length > 0 ? out : (emptySave ??= A.save(A.init())));
    },
    save: () => withHeld(A.save(doc)),
    on: (listener) => listeners.add(listener),
  };
}
