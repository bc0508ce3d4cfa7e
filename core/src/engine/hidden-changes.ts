import type { Json } from '../ports/crdt.js';
import type { StorageWrite, StoredValue } from '../ports/storage.js';
import type { DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import { DEL, MSG } from '../model/message.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import { perCore } from './per-core.js';

/** Storage meta prefix: one entry per feed chunk, device-local, never synced. */
export const HIDDEN_META_PREFIX = 'engine/hidden/';
/** Storage meta prefix of changes from a blocked author that the feed policy still holds back. */
export const HIDDEN_HELD_PREFIX = 'engine/hidden-held/';

/**
 * What a blocked author wrote, hidden on this device (data-model.md § blocks). A feed change
 * from a blocked author is applied to the CRDT — the author's chain stays whole, so after an
 * unblock their next changes apply and nothing is reported missing — but every key it touched
 * is masked: readers see the value the key had before (absent for a new message, the earlier
 * text for an edit, the earlier reaction, receipt or call entry…). A delete is honoured (it
 * shows nothing new; the author retracts), except of a message that is hidden. A mask lasts while the
 * key holds the value the blocked change left (`seen`); once the author rewrites the key after
 * an unblock, the live value shows again. Masks persist in storage meta and are restored on
 * open; they are per device and never synced (the block itself is private).
 */
export interface HiddenChanges {
  /** Resolves once the persisted masks are loaded (reads that may follow an open await it). */
  readonly ready: Promise<void>;
  get(doc: LoadedDoc, collection: string, key: string): Json | undefined;
  keys(doc: LoadedDoc, collection: string): string[];
  entries(doc: LoadedDoc, collection: string): Array<[string, Json]>;
  /** True when `key` of `collection` is a message this device never shows. */
  isHidden(doc: LoadedDoc, collection: string, key: string): boolean;
  /** Run `apply` (a blocked author's change) masking what it touches; returns the meta writes
   *  and the ids of the messages whose delete it honoured (shown as deleted now). */
  masked<T>(doc: LoadedDoc, apply: () => T): { value: T; writes: StorageWrite[]; deleted: string[] };
  /** Note a blocked author's change the feed policy holds: it is masked whenever it applies, even after a restart. */
  hold(change: ChangeRef): StorageWrite[];
  /** Whether `change` was held while its author was blocked; forgets it (with the meta write). */
  takeHeld(change: ChangeRef): { held: boolean; writes: StorageWrite[] };
  /** Number of masked keys (all documents). */
  count(): number;
}

interface Mask {
  /** The value shown (undefined: the key is not shown at all). */
  readonly show: Json | undefined;
  /** The live value the blocked change left, serialized ('' when absent). */
  seen: string;
}

type ChangeRef = Pick<DocChange, 'doc' | 'author' | 'device' | 'counter'>;

const SEP = '\u0000';
const serial = (v: Json | undefined): string => (v === undefined ? '' : JSON.stringify(v));

/** The device's hidden set for this engine (created on first use, loading from storage). */
export const hiddenChanges = perCore(createHiddenChanges);

function createHiddenChanges(core: Core): HiddenChanges {
  const masks = new Map<DocId, Map<string, Mask>>();
  const heldHidden = new Map<DocId, Set<string>>();
  const heldKey = (c: ChangeRef): string => `${c.author}${SEP}${c.device}${SEP}${c.counter}`;
  const heldWrites = (doc: DocId): StorageWrite[] => {
    const set = heldHidden.get(doc);
    if (set === undefined || set.size === 0) return [{ type: 'deleteMeta', key: HIDDEN_HELD_PREFIX + doc }];
    return [{ type: 'putMeta', key: HIDDEN_HELD_PREFIX + doc, value: [...set] }];
  };

  const ready = (async () => {
    const listed = (await core.storage?.listMeta(HIDDEN_META_PREFIX).catch(() => [])) ?? [];
    for (const [key, value] of listed) {
      const doc = key.slice(HIDDEN_META_PREFIX.length) as DocId;
      const parsed = parseMasks(value);
      if (parsed === null) {
        core.stats.invalidEntries++;
        continue;
      }
      // Masks recorded in memory before the load finished are newer: keep them.
      const live = masks.get(doc) ?? new Map<string, Mask>();
      for (const [k, m] of parsed) if (!live.has(k)) live.set(k, m);
      masks.set(doc, live);
    }
    const held = (await core.storage?.listMeta(HIDDEN_HELD_PREFIX).catch(() => [])) ?? [];
    for (const [key, value] of held) {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        core.stats.invalidEntries++;
        continue;
      }
      const doc = key.slice(HIDDEN_HELD_PREFIX.length) as DocId;
      const set = heldHidden.get(doc) ?? new Set<string>();
      for (const v of value) set.add(v);
      heldHidden.set(doc, set);
    }
  })();

  /** The mask in force for a key, or undefined (none, or the author rewrote the key since). */
  const active = (doc: LoadedDoc, collection: string, key: string): Mask | undefined => {
    const m = masks.get(doc.id)?.get(collection + SEP + key);
    if (m === undefined) return undefined;
    return serial(doc.crdt.get(collection, key)) === m.seen ? m : undefined;
  };

  const keys = (doc: LoadedDoc, collection: string): string[] => {
    const live = doc.crdt.keys(collection);
    const docMasks = masks.get(doc.id);
    if (docMasks === undefined || docMasks.size === 0) return live;
    const out = new Set(live);
    const prefix = collection + SEP;
    for (const k of docMasks.keys()) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      const m = active(doc, collection, key);
      if (m === undefined) continue;
      if (m.show === undefined) out.delete(key);
      else out.add(key);
    }
    return [...out].sort();
  };

  const get = (doc: LoadedDoc, collection: string, key: string): Json | undefined => {
    const m = active(doc, collection, key);
    return m === undefined ? doc.crdt.get(collection, key) : m.show;
  };

  return {
    ready,
    get,
    keys,
    entries(doc, collection) {
      if ((masks.get(doc.id)?.size ?? 0) === 0) return doc.crdt.entries(collection);
      const out: Array<[string, Json]> = [];
      for (const key of keys(doc, collection)) {
        const v = get(doc, collection, key);
        if (v !== undefined) out.push([key, v]);
      }
      return out;
    },
    isHidden(doc, collection, key) {
      const m = active(doc, collection, key);
      return m !== undefined && m.show === undefined;
    },
    masked(doc, apply) {
      // The state before, whole: a chunk is bounded (chunkMessages) and blocked authors are rare.
      const before = new Map<string, Json>();
      for (const c of doc.crdt.collections()) for (const [k, v] of doc.crdt.entries(c)) before.set(c + SEP + k, v);
      const value = apply();
      let docMasks = masks.get(doc.id);
      if (docMasks === undefined) masks.set(doc.id, (docMasks = new Map<string, Mask>()));
      const touched = new Set<string>(before.keys());
      for (const c of doc.crdt.collections()) for (const k of doc.crdt.keys(c)) touched.add(c + SEP + k);
      let changed = false;
      // A delete is honoured even from a blocked author (it shows nothing new and is the
      // author's retraction) — unless the message itself is hidden.
      const honoured = new Set<string>();
      const deleted: string[] = [];
      for (const ck of touched) {
        if (!ck.startsWith(DEL + SEP) || before.has(ck)) continue;
        const id = ck.slice(DEL.length + 1);
        if (doc.crdt.get(DEL, id) === undefined) continue;
        const msgMask = docMasks.get(MSG + SEP + id);
        const hiddenMessage = msgMask !== undefined && msgMask.show === undefined && msgMask.seen === serial(before.get(MSG + SEP + id));
        if (!hiddenMessage) {
          honoured.add(DEL + SEP + id).add(MSG + SEP + id);
          deleted.push(id);
        }
      }
      for (const ck of touched) {
        if (honoured.has(ck)) {
          if (docMasks.delete(ck)) changed = true;
          continue;
        }
        const sep = ck.indexOf(SEP);
        const now = serial(doc.crdt.get(ck.slice(0, sep), ck.slice(sep + 1)));
        const was = before.get(ck);
        const old = docMasks.get(ck);
        if (old !== undefined && old.seen === serial(was)) {
          // Still masked: keep showing what was there before the first blocked change.
          if (old.seen !== now) changed = true;
          old.seen = now;
          continue;
        }
        if (now === serial(was)) continue;
        docMasks.set(ck, { show: was, seen: now });
        changed = true;
      }
      const writes: StorageWrite[] = changed ? [{ type: 'putMeta', key: HIDDEN_META_PREFIX + doc.id, value: masksToJson(docMasks) }] : [];
      return { value, writes, deleted };
    },
    hold(change) {
      let set = heldHidden.get(change.doc);
      if (set === undefined) heldHidden.set(change.doc, (set = new Set()));
      set.add(heldKey(change));
      return heldWrites(change.doc);
    },
    takeHeld(change) {
      if (heldHidden.get(change.doc)?.delete(heldKey(change)) !== true) return { held: false, writes: [] };
      return { held: true, writes: heldWrites(change.doc) };
    },
    count() {
      let n = 0;
      for (const m of masks.values()) n += m.size;
      return n;
    },
  };
}

function masksToJson(docMasks: Map<string, Mask>): Json {
  const out: Json[] = [];
  for (const [ck, m] of docMasks) out.push(m.show === undefined ? [ck, m.seen] : [ck, m.seen, m.show]);
  return out;
}

function parseMasks(value: StoredValue): Map<string, Mask> | null {
  if (!Array.isArray(value)) return null;
  const out = new Map<string, Mask>();
  for (const item of value) {
    if (!Array.isArray(item) || (item.length !== 2 && item.length !== 3)) return null;
    const [ck, seen, show] = item;
    if (typeof ck !== 'string' || !ck.includes(SEP) || typeof seen !== 'string') return null;
    out.set(ck, { show: item.length === 3 ? show : undefined, seen });
  }
  return out;
}
