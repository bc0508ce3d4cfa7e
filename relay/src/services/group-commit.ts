import type { AppendOutcome, AppendRequest, DocLogStore } from '../store/ports.js';

/**
 * Group commit (RLY-10): appends requested during one turn of the event loop are written in
 * one store transaction (one fsync with synchronous=FULL), then every caller is answered.
 * Order of `append` calls is the order of the batch.
 */
export interface GroupCommitter {
  append(request: AppendRequest): Promise<AppendOutcome>;
  /** Resolves when nothing is queued or being written. */
  drain(): Promise<void>;
  readonly batches: number;
}

export function createGroupCommitter(store: DocLogStore, maxBatch = 2000): GroupCommitter {
  let queue: { req: AppendRequest; resolve: (o: AppendOutcome) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();
  let batches = 0;

  const flush = async (): Promise<void> => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      batches++;
      try {
        const outcomes = await store.append(batch.map((b) => b.req));
        batch.forEach((b, i) => b.resolve(outcomes[i]!));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
  };

  return {
    append(req) {
      return new Promise<AppendOutcome>((resolve, reject) => {
        queue.push({ req, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            running = running.then(flush);
          });
        }
      });
    },
    async drain() {
      while (scheduled || queue.length > 0) {
        await new Promise<void>((r) => setImmediate(r));
        await running;
      }
      await running;
    },
    get batches() {
      return batches;
    },
  };
}
