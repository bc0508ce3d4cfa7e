import { fail, ok, type Result } from '../errors.js';
import type { DocId, UserId } from '../ids.js';
import type { Clock } from '../ports/clock.js';
import type { SandboxHost, SandboxResponse, SandboxWorker, UpdateFormat, UpdateScope } from './sandbox-protocol.js';

/**
 * Hostile-input decoding (SBX-*). Every CRDT update from another person is applied first to a
 * mirror replica in a worker, under a time budget; the main thread applies only updates the
 * worker accepted (SBX-1). On overrun the worker is killed and replaced (its mirrors are rebuilt
 * from `baseState` on demand), the update is quarantined and its author reported (SBX-2);
 * requests for other documents continue on the fresh worker (SBX-3).
 */
export interface QuarantineEntry {
  readonly doc: DocId;
  readonly author: UserId;
  readonly reason: 'decode_timeout' | 'malformed' | 'out_of_scope' | 'worker_crash' | 'too_large';
  readonly bytes: number;
  readonly at: number;
}

export interface SandboxStats {
  readonly checked: number;
  readonly accepted: number;
  readonly quarantined: number;
  readonly timeouts: number;
  readonly restarts: number;
  readonly maxCheckMs: number;
}

export interface DecodeSandboxOptions {
  readonly host: SandboxHost;
  readonly clock: Clock;
  /** Time budget of one update in ms (default 1,000). */
  readonly budgetMs?: number;
  /** How long a new worker may take to load before it is abandoned (default 15,000 ms). */
  readonly startupMs?: number;
  /** Largest update accepted for decoding (default 16 MiB, ENV-7). */
  readonly maxUpdateBytes?: number;
  /** The trusted current state of a document (e.g. `CrdtDocument.save()`), to seed a new mirror. */
  readonly baseState?: (doc: DocId) => Uint8Array | null;
  readonly onQuarantine?: (entry: QuarantineEntry) => void;
  /** Quarantine entries kept (oldest dropped; the counts in `stats` keep growing). */
  readonly maxQuarantine?: number;
}

export interface DecodeSandbox {
  /**
   * Decodes and applies `update` to the worker's mirror of `doc`. `ok` means the main thread may
   * apply it (`roots`: top-level names it created). Failures: `decode_timeout`, `malformed`,
   * `too_large`, `unauthorized` (out of `scope`, SBX-5), `closed` — each (but `closed`) quarantined.
   */
  check(doc: DocId, author: UserId, update: Uint8Array, format?: UpdateFormat, scope?: UpdateScope): Promise<Result<{ roots: readonly string[] }>>;
  /** The main thread did not apply an accepted update (or reloaded the doc): drop the mirror. */
  forget(doc: DocId): void;
  quarantined(): readonly QuarantineEntry[];
  stats(): SandboxStats;
  close(): void;
}

interface Job {
  readonly id: number;
  readonly doc: DocId;
  readonly author: UserId;
  readonly update: Uint8Array;
  readonly format: UpdateFormat;
  readonly scope: UpdateScope | undefined;
  readonly resolve: (r: Result<{ roots: readonly string[] }>) => void;
}

export function createDecodeSandbox(options: DecodeSandboxOptions): DecodeSandbox {
  const budgetMs = options.budgetMs ?? 1000;
  const maxBytes = options.maxUpdateBytes ?? 16 * 1024 * 1024;
  const maxQuarantine = options.maxQuarantine ?? 1000;
  const startupMs = options.startupMs ?? 15_000;
  const queue: Job[] = [];
  const quarantine: QuarantineEntry[] = [];
  const mirrored = new Set<DocId>();
  const toForget = new Set<DocId>();
  const stats = { checked: 0, accepted: 0, quarantined: 0, timeouts: 0, restarts: 0, maxCheckMs: 0 };
  let worker: SandboxWorker | null = null;
  let ready = false;
  let generation = 0;
  let current: { job: Job; cancel: () => void; started: number } | null = null;
  let nextId = 1;
  let closed = false;

  const report = (job: Pick<Job, 'doc' | 'author' | 'update'>, reason: QuarantineEntry['reason']): void => {
    const entry: QuarantineEntry = { doc: job.doc, author: job.author, reason, bytes: job.update.length, at: options.clock.now() };
    quarantine.push(entry);
    if (quarantine.length > maxQuarantine) quarantine.shift();
    stats.quarantined++;
    options.onQuarantine?.(entry);
  };

  const settle = (result: Result<{ roots: readonly string[] }>): void => {
    if (current === null) return;
    const { job, cancel, started } = current;
    cancel();
    current = null;
    stats.maxCheckMs = Math.max(stats.maxCheckMs, options.clock.now() - started);
    job.resolve(result);
    pump();
  };

  const kill = (): void => {
    worker?.terminate();
    worker = null;
    ready = false;
    mirrored.clear();
    toForget.clear();
  };

  const spawn = (): SandboxWorker => {
    const gen = ++generation;
    ready = false;
    const w = options.host.spawn();
    if (gen > 1) stats.restarts++;
    // A worker that never loads must not stall every queued update: give up on it, fail what
    // waits (`closed`: the sandbox is unavailable, nobody is quarantined), retry on the next check.
    const cancelStartup = options.clock.setTimer(startupMs, () => {
      if (gen !== generation || ready) return;
      kill();
      for (const job of queue.splice(0)) job.resolve(fail('closed', 'decode worker did not start'));
    });
    w.onMessage((response: SandboxResponse) => {
      if (gen !== generation) return;
      if ('ready' in response) {
        cancelStartup();
        ready = true;
        pump();
        return;
      }
      if (current === null || response.id !== current.job.id) return;
      const job = current.job;
      if (response.ok) {
        mirrored.add(job.doc);
        stats.accepted++;
        settle(ok({ roots: response.roots }));
      } else {
        if (response.reason === 'out_of_scope') {
          report(job, 'out_of_scope');
          settle(fail('unauthorized', 'update writes outside its author\'s scope'));
          return;
        }
        mirrored.delete(job.doc);
        report(job, 'malformed');
        settle(fail('malformed', 'update rejected by the decoder'));
      }
    });
    w.onExit(() => {
      if (gen !== generation) return;
      worker = null;
      ready = false;
      mirrored.clear();
      if (current !== null) {
        report(current.job, 'worker_crash');
        settle(fail('malformed', 'decoder crashed on the update'));
      }
    });
    return w;
  };

  function pump(): void {
    if (current !== null || closed || queue.length === 0) return;
    worker ??= spawn();
    if (!ready) return;
    const job = queue.shift();
    if (job === undefined) return;
    const base = mirrored.has(job.doc) ? undefined : (options.baseState?.(job.doc) ?? undefined);
    const forget = [...toForget];
    toForget.clear();
    const cancel = options.clock.setTimer(budgetMs, () => {
      if (current?.job !== job) return;
      stats.timeouts++;
      kill();
      report(job, 'decode_timeout');
      settle(fail('decode_timeout', `update not decoded within ${budgetMs} ms`));
    });
    current = { job, cancel, started: options.clock.now() };
    worker.post({ id: job.id, doc: job.doc, format: job.format, update: job.update, ...(base ? { base } : {}), ...(job.scope ? { scope: job.scope } : {}), forget });
  }

  return {
    check(doc, author, update, format = 'yjs-v1', scope) {
      if (closed) return Promise.resolve(fail('closed', 'sandbox closed'));
      stats.checked++;
      if (!(update instanceof Uint8Array) || update.length > maxBytes) {
        const bytes = update instanceof Uint8Array ? update : new Uint8Array(0);
        report({ doc, author, update: bytes }, 'too_large');
        return Promise.resolve(fail('too_large', 'update too large to decode'));
      }
      return new Promise((resolve) => {
        queue.push({ id: nextId++, doc, author, update, format, scope, resolve });
        pump();
      });
    },
    forget(doc) {
      if (mirrored.delete(doc)) toForget.add(doc);
    },
    quarantined: () => [...quarantine],
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      kill();
      for (const job of queue.splice(0)) job.resolve(fail('closed', 'sandbox closed'));
      if (current !== null) settle(fail('closed', 'sandbox closed'));
    },
  };
}
