import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import type { FeedIndex } from './feed-index.js';
import { maybeSnapshot } from './snapshots.js';

/** Feed chunks kept in memory besides each author's newest one, unless `KithOptions.maxLoadedChunks` says otherwise. */
export const DEFAULT_MAX_LOADED_CHUNKS = 8;

/**
 * Chunk eviction (ADR 0019): the engine keeps each author's newest chunk of every conversation
 * (new entries go there) and at most `limit` other feed chunks, least recently used leaving
 * first. A chunk leaves only when storage holds all of it — a snapshot covering every record,
 * and its feed index entries — and when nothing about it is pending: no change held back by the
 * feed policy (its re-filter needs the records in memory), no counter gap (gaps are reported from
 * loaded chunks). It loads again on demand through the loader (pagination, find, an edit, a
 * change arriving for it), which re-filters what a departure learned since would cut. Without
 * storage nothing leaves.
 */
export interface ChunkEviction {
  /** A chunk entered memory: evict beyond the bound (asynchronously, once what leaves is durable). */
  check(): void;
  /** Resolves when no eviction pass is running. */
  idle(): Promise<void>;
}

export function createChunkEviction(core: Core, index: FeedIndex, limit: number): ChunkEviction {
  let running: Promise<void> | null = null;
  let again = false;

  const evictable = (doc: LoadedDoc): boolean =>
    doc.ref.kind === 'feed' && doc.held === 0 && !core.docs.isNewestChunk(doc) && doc.seen.gaps(1).length === 0;

  /** The chunks to evict now: the least recently used evictable ones beyond the bound. */
  const victims = (): LoadedDoc[] => {
    const candidates: LoadedDoc[] = [];
    for (const doc of core.docs.feedByUse()) if (evictable(doc)) candidates.push(doc);
    return candidates.slice(0, Math.max(0, candidates.length - limit));
  };

  const pass = async (): Promise<void> => {
    for (;;) {
      again = false;
      const chosen = victims();
      if (chosen.length === 0) return;
      for (const doc of chosen) {
        maybeSnapshot(core, doc, true); // every record applied (held 0): covers them all
        // The snapshot's commit carries the index entries; a chunk already covered may still owe them.
        if (index.dirty(doc.id)) core.persister.commitMeta([]);
      }
      await core.persister.idle();
      try {
        core.persister.expectHealthy();
      } catch {
        return; // memory is ahead of disk: keep everything
      }
      const still = new Set(victims());
      for (const doc of chosen) {
        if (!still.has(doc) || core.docs.peek(doc.id) !== doc) continue;
        if (doc.snapshotCovered !== doc.records.length || index.dirty(doc.id)) continue;
        core.docs.evict(doc.id);
      }
      if (!again) return;
    }
  };

  const check = (): void => {
    if (core.storage === undefined) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = Promise.resolve()
      .then(pass)
      .catch(() => undefined)
      .finally(() => {
        running = null;
        if (again) check();
      });
  };
  return {
    check,
    async idle() {
      while (running !== null) await running;
    },
  };
}
