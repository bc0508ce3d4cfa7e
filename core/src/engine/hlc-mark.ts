import type { StorageWrite } from '../ports/storage.js';
import type { Core } from './core.js';
import { perCore } from './per-core.js';

/** Storage meta key: the greatest id this device's clock issued (ID-3, device-local, never synced). */
export const HLC_META_KEY = 'engine/hlc';

/**
 * ID-3: the clock's high-water mark survives a restart. The greatest id issued rides along the
 * next storage commit — the commit of the change that holds it — and opening observes it before
 * anything is written, so a device's own ids keep increasing across restarts whichever chunks are
 * loaded (the newest chunk of its feed may hold no message: a receipt opened it).
 */
export interface HlcMark {
  /** Resolves once the stored mark is observed. */
  readonly ready: Promise<void>;
  /** The meta write for the mark when the clock issued an id since the last call. */
  takeWrites(): StorageWrite[];
}

function createHlcMark(core: Core): HlcMark {
  let stored: string | null = null;
  const ready = (async () => {
    const value = await core.storage?.getMeta(HLC_META_KEY).catch(() => undefined);
    if (typeof value === 'string') {
      core.hlc.observe(value); // not a UUIDv7, or beyond the skew bound (ID-2): ignored
      stored = value;
    } else if (value !== undefined) core.stats.invalidEntries++;
  })();
  return {
    ready,
    takeWrites() {
      const last = core.hlc.last();
      if (last === null || last === stored) return [];
      stored = last;
      return [{ type: 'putMeta', key: HLC_META_KEY, value: last }];
    },
  };
}

export const hlcMarkOf = perCore(createHlcMark);
