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
  /**
   * BATCH-10: `updates` of one range (one document, one author, in order), checked as `check`
   * checks each — same budget, quarantine and attribution — in one worker round trip; results in
   * order. If the worker times out or dies on a range, the range is checked again one update at
   * a time, so only the update that caused it is quarantined.
   */
  checkRange(doc: DocId, author: UserId, updates: readonly Uint8Array[], format?: UpdateFormat, scope?: UpdateScope): Promise<Array<Result<{ roots: readonly string[] }>>>;
  /** The main thread did not apply an accepted update (or reloaded the doc): drop the mirror. */
  forget(doc: DocId): void;
  quarantined(): readonly QuarantineEntry[];
  stats(): SandboxStats;
  close(): void;
}

type CheckResult = Result<{ roots: readonly string[] }>;

/** One round trip: consecutive updates of one range (one for `check`), each with its own resolver. */
interface Job {
  readonly id: number;
  readonly doc: DocId;
  readonly author: UserId;
  readonly updates: readonly Uint8Array[];
  readonly format: UpdateFormat;
  readonly scope: UpdateScope | undefined;
  readonly resolve: ReadonlyArray<(r: CheckResult) => void>;
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

  const report = (job: Pick<Job, 'doc' | 'author'> & { readonly update: Uint8Array }, reason: QuarantineEntry['reason']): void => {
    const entry: QuarantineEntry = { doc: job.doc, author: job.author, reason, bytes: job.update.length, at: options.clock.now() };
    quarantine.push(entry);
    if (quarantine.length > maxQuarantine) quarantine.shift();
    stats.quarantined++;
    options.onQuarantine?.(entry);
  };

  const part = (job: Job, from: number, to: number): Job => ({
    ...job,
    id: nextId++,
    updates: job.updates.slice(from, to),
    resolve: job.resolve.slice(from, to),
  });
  /**
   * Ends the current job: its first `accepted` updates were accepted (`roots`), then `result`
   * (if any) answers the next one, and the ones after it go back to the front of the queue.
   * `split`: the worker died or overran on a range of several: nothing is known, each is
   * checked again alone (its own budget, its own quarantine).
   */
  const finish = (accepted: number, roots: readonly string[], result?: CheckResult, split = false): void => {
    if (current === null) return;
    const { job, cancel, started } = current;
    cancel();
    current = null;
    stats.maxCheckMs = Math.max(stats.maxCheckMs, options.clock.now() - started);
    if (split) {
      for (let i = job.updates.length - 1; i >= 0; i--) queue.unshift(part(job, i, i + 1));
    } else {
      for (let i = 0; i < accepted; i++) job.resolve[i]!(ok({ roots: i === 0 ? roots : [] }));
      const next = result === undefined ? accepted : accepted + 1;
      if (result !== undefined) job.resolve[accepted]?.(result);
      if (next < job.updates.length) queue.unshift(part(job, next, job.updates.length));
    }
    pump();
  };
  const settle = (result: CheckResult): void => finish(0, [], result);
  /** Closing: every update of the current job gets `result`. */
  const settleAll = (result: CheckResult): void => {
    if (current === null) return;
    const { job, cancel } = current;
    cancel();
    current = null;
    for (const r of job.resolve) r(result);
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
      for (const job of queue.splice(0)) for (const r of job.resolve) r(fail('closed', 'decode worker did not start'));
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
        stats.accepted += job.updates.length;
        finish(job.updates.length, response.roots);
      } else {
        // BATCH-10: the updates before `at` were accepted (and applied to the mirror).
        const at = typeof response.at === 'number' && Number.isInteger(response.at) && response.at >= 0 && response.at < job.updates.length ? response.at : 0;
        stats.accepted += at;
        const update = job.updates[at]!;
        if (response.reason === 'out_of_scope') {
          if (at > 0) mirrored.add(job.doc);
          report({ ...job, update }, 'out_of_scope');
          finish(at, [], fail('unauthorized', 'update writes outside its author\'s scope'));
          return;
        }
        mirrored.delete(job.doc);
        report({ ...job, update }, 'malformed');
        finish(at, [], fail('malformed', 'update rejected by the decoder'));
      }
    });
    w.onExit(() => {
      if (gen !== generation) return;
      worker = null;
      ready = false;
      mirrored.clear();
      if (current !== null) {
        const job = current.job;
        if (job.updates.length > 1) return finish(0, [], undefined, true);
        report({ ...job, update: job.updates[0]! }, 'worker_crash');
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
      kill();
      if (job.updates.length > 1) return finish(0, [], undefined, true);
      stats.timeouts++;
      report({ ...job, update: job.updates[0]! }, 'decode_timeout');
      settle(fail('decode_timeout', `update not decoded within ${budgetMs} ms`));
    });
    current = { job, cancel, started: options.clock.now() };
    const [update, ...rest] = job.updates;
    worker.post({ id: job.id, doc: job.doc, format: job.format, update: update!, ...(rest.length > 0 ? { rest } : {}), ...(base ? { base } : {}), ...(job.scope ? { scope: job.scope } : {}), forget });
  }

  const checkRange = (doc: DocId, author: UserId, updates: readonly Uint8Array[], format: UpdateFormat, scope: UpdateScope | undefined): Array<Promise<CheckResult>> => {
    if (closed) return updates.map(() => Promise.resolve(fail('closed', 'sandbox closed')));
    const out: Array<Promise<CheckResult>> = [];
    let run: { updates: Uint8Array[]; resolve: Array<(r: CheckResult) => void> } | null = null;
    const flush = (): void => {
      if (run !== null) queue.push({ id: nextId++, doc, author, format, scope, ...run });
      run = null;
    };
    for (const update of updates) {
      stats.checked++;
      if (!(update instanceof Uint8Array) || update.length > maxBytes) {
        const bytes = update instanceof Uint8Array ? update : new Uint8Array(0);
        report({ doc, author, update: bytes }, 'too_large');
        out.push(Promise.resolve(fail('too_large', 'update too large to decode')));
        flush(); // the updates after it are a new round trip: the order of the mirror is kept
        continue;
      }
      const r: { updates: Uint8Array[]; resolve: Array<(r: CheckResult) => void> } = run ?? { updates: [], resolve: [] };
      run = r;
      out.push(new Promise<CheckResult>((resolve) => {
        r.updates.push(update);
        r.resolve.push(resolve);
      }));
    }
    flush();
    pump();
    return out;
  };

  return {
    check(doc, author, update, format = 'yjs-v1', scope) {
      return checkRange(doc, author, [update], format, scope)[0]!;
    },
    checkRange(doc, author, updates, format = 'yjs-v1', scope) {
      return Promise.all(checkRange(doc, author, updates, format, scope));
    },
    forget(doc) {
      if (mirrored.delete(doc)) toForget.add(doc);
    },
    quarantined: () => [...quarantine],
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      kill();
      for (const job of queue.splice(0)) for (const r of job.resolve) r(fail('closed', 'sandbox closed'));
      settleAll(fail('closed', 'sandbox closed'));
    },
  };
}
