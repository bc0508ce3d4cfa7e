import { KithError } from '../errors.js';
import type { Random } from '../ports/random.js';
import type { Storage, StorageWrite } from '../ports/storage.js';

export interface FaultyStorageOptions {
  /** Commits number n, 2n, 3n, … (counting from 1) fail. */
  readonly failCommitEvery?: number;
  /** Each commit fails with probability `rate`, drawn from `source` (a seeded Random in tests). */
  readonly random?: { readonly rate: number; readonly source: Random };
  /**
   * Commit `n` fails when `failWhen(n)`, n counting from 1 the commits made while faults are on
   * (`setFaults`): `(n) => n === 3` is one failed commit, `(n) => n >= 3` a crash from there on.
   */
  readonly failWhen?: (n: number) => boolean;
  /** Start with injection off (default on). */
  readonly startDisabled?: boolean;
}

export interface FaultyStorage extends Storage {
  /** Commits attempted and commits failed by injection so far. */
  stats(): { readonly commits: number; readonly failed: number };
  /** Commits attempted while faults were on (the `n` of `failWhen`). */
  armedCommits(): number;
  /** Turns injection off (e.g. for a final flush) or back on. */
  setFaults(enabled: boolean): void;
}

/** A float in [0, 1) from 4 bytes of the Random port. */
function draw(source: Random): number {
  const b = source.bytes(4);
  return ((((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0) / 2 ** 32;
}

/**
 * Wraps a storage so some commits fail like a full disk or a crash before the transaction
 * committed: the commit rejects with `storage_failed` and writes nothing (the inner storage
 * never sees it). Reads and close pass through. For fault suites of sync and the engine.
 */
export function createFaultyStorage(inner: Storage, options: FaultyStorageOptions = {}): FaultyStorage {
  const every = options.failCommitEvery;
  if (every !== undefined && (!Number.isSafeInteger(every) || every < 1)) {
    throw new RangeError('failCommitEvery must be a positive integer');
  }
  const rate = options.random?.rate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError('random.rate must be within [0, 1]');
  let commits = 0;
  let armedCommits = 0;
  let failed = 0;
  let enabled = options.startDisabled !== true;
  const shouldFail = (): boolean => {
    if (!enabled) return false;
    armedCommits += 1;
    if (options.failWhen?.(armedCommits) === true) return true;
    if (every !== undefined && commits % every === 0) return true;
    return options.random !== undefined && rate > 0 && draw(options.random.source) < rate;
  };
  return {
    loadDoc: (doc) => inner.loadDoc(doc),
    listDocs: (prefix) => inner.listDocs(prefix),
    getMeta: (key) => inner.getMeta(key),
    listMeta: (prefix) => inner.listMeta(prefix),
    outbox: () => inner.outbox(),
    close: () => inner.close(),
    commit(writes: readonly StorageWrite[]): Promise<void> {
      commits += 1;
      if (shouldFail()) {
        failed += 1;
        return Promise.reject(new KithError('storage_failed', `injected fault on commit ${commits}`));
      }
      return inner.commit(writes);
    },
    stats: () => ({ commits, failed }),
    armedCommits: () => armedCommits,
    setFaults(on: boolean): void {
      enabled = on;
    },
  };
}
