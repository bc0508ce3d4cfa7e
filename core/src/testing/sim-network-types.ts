import type { SeededRandom } from './seeded-random.js';
import type { Trace } from './trace.js';

/**
 * A simulated network for deterministic tests: one FIFO queue per directed link, and nothing
 * is delivered until the test says so. "Wait for sync" is `flush()` — deliver until quiet.
 *
 * Semantics (relied on by the convergence suites; change them only with their owners):
 * - `send` only enqueues. `onReceive` may call `send` (responses are queued, never delivered
 *   recursively); calling `deliverOne`/`deliverLink`/`flush` from inside `onReceive` throws.
 * - Link choice in `deliverOne`/`flush` is drawn from `random.fork('sim-network')`, so the
 *   schedule depends only on the seed and the sequence of sends.
 * - Faults (per delivery, only in `deliverOne` and `flush({ faults: true })`), rolled in this
 *   order: **drop** removes the head frame; **reorder** (when the link holds ≥ 2 frames) swaps
 *   the head with a uniformly chosen later frame of the same link, then delivers the new head;
 *   **duplicate** delivers the head and leaves a clone at the head of the queue, so the copy
 *   arrives on a later delivery from that link (same frame number in the trace).
 * - `tamper` rewrites or drops every delivered frame (all delivery methods) — an active
 *   attacker on the wire. Returning `undefined` drops the frame (counted as tampered and dropped).
 * - `partition(groups, mode)`: frames between different groups are held (`'hold'`, queued until
 *   `heal`) or dropped (`'drop'`: queued cross-group frames are discarded at once and new ones
 *   are lost on send). A node named in no group is isolated. A new partition replaces the old.
 * - Sending to or from a removed node loses the frame; an id never added is a test bug and throws.
 * - Counters obey `sent + duplicated = delivered + dropped + pending()`.
 */
export interface SimNetworkOptions<T> {
  random: SeededRandom;
  /** Metadata-only one-line description for traces (never payloads, plaintext or keys). */
  describe?: (msg: T) => string;
  /** Copies a frame (duplicates, broadcast to several nodes); default `structuredClone`. */
  clone?: (msg: T) => T;
  /** Lines the trace keeps (default 10,000). */
  traceLimit?: number;
}

/** Per-delivery probabilities in [0, 1]. */
export interface SimFaults {
  drop?: number;
  duplicate?: number;
  reorder?: number;
}

export interface SimStats {
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly duplicated: number;
  readonly reordered: number;
  readonly tampered: number;
}

export type SimTamper<T> = (from: string, to: string, msg: T) => T | undefined;

export interface SimNetwork<T> {
  addNode(id: string, onReceive: (from: string, msg: T) => void): void;
  /** Pending frames to and from the node are discarded (counted as dropped). */
  removeNode(id: string): void;
  /** Ids of the live nodes, in the order they were added. */
  nodes(): readonly string[];
  send(from: string, to: string, msg: T): void;
  /** `send` to each recipient; every recipient after the first gets its own clone. */
  broadcast(from: string, to: readonly string[], msg: T): void;
  /** Frames queued (held ones included), optionally only from and/or to a node. */
  pending(from?: string, to?: string): number;
  /** Process the head of a random deliverable link, applying faults. False when quiet. */
  deliverOne(): boolean;
  /** Deliver the head of one link (no faults; tamper applies). False if empty or held. */
  deliverLink(from: string, to: string): boolean;
  /**
   * Deliver until no link is deliverable, frames sent meanwhile included; returns the steps
   * taken. Throws with the trace tail when `maxSteps` (default 100,000) is exceeded.
   */
  flush(options?: { maxSteps?: number; faults?: boolean }): number;
  setFaults(faults: SimFaults): void;
  partition(groups: ReadonlyArray<readonly string[]>, mode?: 'hold' | 'drop'): void;
  heal(): void;
  tamper(fn: SimTamper<T> | undefined): void;
  readonly trace: Trace;
  readonly stats: SimStats;
}
