import { BINARY_ENTRIES_ID_OFFSET, encodeBase64, encodeBinaryServerFrame } from '@kith/core/protocol';

/** One stored entry as the hub hands it to subscribers. */
export interface LiveEntry {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/**
 * The entries of one document that became durable together, in seq order, with their wire text
 * built at most once for every subscriber (RLY-24): the base64 and the JSON of the entry list are
 * computed on first use and shared; only the subscription's own `id` differs between frames.
 */
export interface LiveBatch {
  readonly doc: string;
  readonly entries: readonly LiveEntry[];
  /**
   * The frame for a subscriber whose subscription id is `subId`: one entry → the shared
   * `entry {doc, seq, env}` text (identical for everyone); several → `entries {id, doc, entries,
   * next, more: false}` around the shared entry list (RLY-23).
   */
  frameFor(subId: number): string;
  /**
   * The same as a binary frame (RLY-43, RLY-44), encoded once: one entry → the shared `entry`
   * bytes; several → a copy of the shared `entries` bytes with `subId` written in (a frame queued
   * on one socket must not change under another).
   */
  binaryFrameFor(subId: number): Uint8Array;
}

export function createLiveBatch(doc: string, entries: readonly LiveEntry[]): LiveBatch {
  let single: string | undefined;
  let head: string | undefined;
  let tail: string | undefined;
  const docJson = (): string => JSON.stringify(doc);
  let bin: Uint8Array | undefined;
  return {
    doc,
    entries,
    binaryFrameFor(subId) {
      if (entries.length === 1) {
        const e = entries[0]!;
        bin ??= encodeBinaryServerFrame({ t: 'entry', doc, seq: e.seq, env: e.bytes });
        return bin;
      }
      bin ??= encodeBinaryServerFrame({ t: 'entries', id: 0, doc, entries: entries.map((x) => ({ seq: x.seq, env: x.bytes })), next: entries.at(-1)!.seq, more: false });
      const mine = bin.slice();
      new DataView(mine.buffer, mine.byteOffset, mine.byteLength).setUint32(BINARY_ENTRIES_ID_OFFSET, subId);
      return mine;
    },
    frameFor(subId) {
      if (entries.length === 1) {
        const e = entries[0]!;
        single ??= `{"v":1,"t":"entry","doc":${docJson()},"seq":${e.seq},"env":"${encodeBase64(e.bytes)}"}`;
        return single;
      }
      if (head === undefined || tail === undefined) {
        const list = entries.map((e) => `{"seq":${e.seq},"env":"${encodeBase64(e.bytes)}"}`).join(',');
        head = `{"v":1,"t":"entries","id":`;
        tail = `,"doc":${docJson()},"entries":[${list}],"next":${entries.at(-1)!.seq},"more":false}`;
      }
      return `${head}${subId}${tail}`;
    },
  };
}

/**
 * Splits one document's pending entries into batches of at most `maxEntries` entries and about
 * `maxBytes` envelope bytes (a single larger entry is a batch of its own): a merged frame stays
 * bounded however far behind the fan-out is.
 */
export function splitLiveEntries(entries: readonly LiveEntry[], maxEntries: number, maxBytes: number): LiveEntry[][] {
  const out: LiveEntry[][] = [];
  let cur: LiveEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (cur.length > 0 && (cur.length >= maxEntries || bytes + e.bytes.length > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    bytes += e.bytes.length;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
