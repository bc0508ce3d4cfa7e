import type { Storage, StorageWrite, StoredValue } from '../ports/storage.js';
import { createCounterTracker, type CounterSnapshot, type CounterTracker } from '../crypto/counter-tracker.js';

/**
 * The counters of every envelope stream this device opened (ENV-5), kept across restarts
 * (review M6, SYNC-16): meta `sync/seen/<stream>` = `{h: highest, m: [[from, to], …] missing}`.
 * Without it a restarted device would take a replayed envelope for a new one, and a stream past
 * the tracker's jump limit would be refused for good. Digests are not kept: after a restart a
 * different envelope at a used counter is reported as `replay` rather than `equivocation`.
 */
export interface CounterStore {
  readonly tracker: CounterTracker;
  /** Writes for the streams recorded since the last call; commit them with the cursors. */
  takeWrites(): StorageWrite[];
  /** Streams recorded since the last `takeWrites` (SYNC-25: then the cursors are committed now). */
  readonly pending: number;
}

const PREFIX = 'sync/seen/';

const asRange = (v: unknown): [number, number] | undefined =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]) && (v[0] as number) >= 1 && (v[0] as number) <= (v[1] as number)
    ? [v[0] as number, v[1] as number]
    : undefined;

function parseStream(v: StoredValue): { high: number; missing: Array<[number, number]> } | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const high = v['h'];
  const m = v['m'];
  if (typeof high !== 'number' || !Number.isSafeInteger(high) || high < 0 || !Array.isArray(m)) return undefined;
  const missing: Array<[number, number]> = [];
  for (const r of m) {
    const range = asRange(r);
    if (range !== undefined && range[1] < high) missing.push(range);
  }
  return { high, missing };
}

export async function loadCounterStore(storage: Storage): Promise<CounterStore> {
  const restore: Record<string, CounterSnapshot[string]> = {};
  for (const [key, v] of await storage.listMeta(PREFIX)) {
    const s = parseStream(v);
    if (s !== undefined) restore[key.slice(PREFIX.length)] = s;
  }
  const inner = createCounterTracker({}, restore);
  const dirty = new Set<string>();
  const tracker: CounterTracker = {
    check: (stream, counter, digest) => inner.check(stream, counter, digest),
    record(stream, counter, digest) {
      inner.record(stream, counter, digest);
      dirty.add(stream);
    },
    highest: (stream) => inner.highest(stream),
    gaps: (stream) => inner.gaps(stream),
    snapshot: () => inner.snapshot(),
  };
  return {
    tracker,
    get pending() {
      return dirty.size;
    },
    takeWrites() {
      const writes: StorageWrite[] = [];
      for (const stream of dirty) {
        writes.push({ type: 'putMeta', key: `${PREFIX}${stream}`, value: { h: inner.highest(stream), m: inner.gaps(stream) } });
      }
      dirty.clear();
      return writes;
    },
  };
}
