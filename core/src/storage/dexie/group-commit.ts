import type { StorageWrite } from '../../ports/storage.js';

/** Commits merged into one transaction at most (bounds one transaction's size and latency). */
export const MAX_GROUP_COMMITS = 256;

export interface GroupCommit {
  /** Resolves when `writes` are durable; rejects (with nothing of them written) otherwise. */
  commit(writes: readonly StorageWrite[]): Promise<void>;
}

interface Waiting {
  readonly writes: readonly StorageWrite[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit (ADR 0005 §group commit): a commit that arrives while a transaction is running
 * waits, and everything that waited goes into the next transaction together, writes in arrival
 * order. One transaction applying commits A then B in order is what A then B would have written,
 * and atomic besides. If a merged transaction fails, nothing of it was written: its commits are
 * retried one by one, so one bad commit (e.g. a snapshot `conflict`) fails alone.
 * Every commit still resolves only after its own writes are durable.
 */
export function createGroupCommit(run: (writes: readonly StorageWrite[]) => Promise<void>): GroupCommit {
  const waiting: Waiting[] = [];
  let running = false;

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.splice(0, MAX_GROUP_COMMITS);
        try {
          await run(batch.length === 1 ? batch[0]!.writes : batch.flatMap((w) => w.writes));
          for (const w of batch) w.resolve();
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const w of batch) {
            try {
              await run(w.writes);
              w.resolve();
            } catch (alone) {
              w.reject(alone);
            }
          }
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    commit(writes) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ writes, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}
