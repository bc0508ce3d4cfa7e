import type { CrdtBackendName, CryptoPort, EngineLink, Identity, Kith, RotationPolicy, Storage, SyncClient } from '../index.js';
import type { FaultCounters, FaultLink } from './fault-link.js';
import type { OpenDevice } from './harness-device.js';
import type { ManualClock } from './manual-clock.js';
import type { PeerTransport } from './peer-transport.js';
import type { RelayHost } from './relay-host.js';
import type { SeededRandom } from './seeded-random.js';

/** One device: engine + sync client + its own link to the relay. A restart replaces the parts in place. */
export interface SyncPeer {
  readonly name: string;
  readonly identity: Identity;
  readonly transport: PeerTransport;
  /** Per-frame faults of this peer's socket (an in-process relay only). */
  readonly link: FaultLink;
  storage: Storage;
  kith: Kith;
  sync: SyncClient;
  /** False while cut off from the relay (`setOnline`). */
  online: boolean;
}

/**
 * When a flush may stop: `'quiet'` — every client has nothing in flight (a client offline or
 * reporting a gap may stay so); `'upToDate'` — also every online client is connected and caught
 * up, and the clock moves on by a retry step while one is not (reconnect backoffs and push
 * retries fire).
 */
export type FlushUntil = 'quiet' | 'upToDate';

export interface FlushOptions {
  /** Rounds before the flush throws with every busy client's state (default 400). */
  readonly maxRounds?: number;
  readonly until?: FlushUntil;
}

export interface SyncHarnessOptions<R extends RelayHost> {
  readonly seed: string | number;
  readonly relay: R;
  /** Default `'yjs'`. */
  readonly backend?: CrdtBackendName;
  /** Default: memory storage and a memory vault per device (`createMemoryDevices`). */
  readonly devices?: OpenDevice;
  /** KEY-6 rotation policy of every sync client. */
  readonly rotation?: RotationPolicy;
  /** Messages per feed chunk of every engine (default 1,000). */
  readonly chunkMessages?: number;
  /** BATCH-9 `maxBatch` of every sync client (default 256). */
  readonly maxBatch?: number;
  /** What `flush()` waits for when a call does not say (default `'quiet'`). */
  readonly flushUntil?: FlushUntil;
  /**
   * What each peer's sync client sees of its engine (default: the engine itself). A test wraps
   * it to play a modified client, e.g. one that slips crafted changes into its stream (issue 13).
   */
  readonly engineLink?: (name: string, kith: Kith) => EngineLink;
}

/**
 * N real engines (`createKith`) with real sync clients, over an injected relay: per-peer frame
 * faults and partitions, restarts from a peer's own storage (graceful or killed mid-flight), a
 * fresh device of an account rebuilt from the relay (`addPeer(name, { bundleFrom })`), and
 * flush-until-quiet. Deterministic for a seed: ids, keys, devices and fault rolls all come from
 * forks of one seeded random, time from one manual clock.
 */
export interface SyncHarness<R extends RelayHost> {
  readonly relay: R;
  readonly crypto: CryptoPort;
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly backend: CrdtBackendName;
  readonly peers: ReadonlyMap<string, SyncPeer>;
  /** Summed over every link: frames seen, dropped, duplicated and reordered. */
  readonly faults: FaultCounters;
  /** Registers `name` (or opens a new device of `bundleFrom`'s account), opens and starts it. */
  addPeer(name: string, options?: { readonly bundleFrom?: string }): Promise<SyncPeer>;
  peer(name: string): SyncPeer;
  /** Reopens a peer from its own storage; `kill` drops the old one mid-flight (nothing more is
   *  written, its socket drops) instead of closing it. */
  restart(name: string, options?: { readonly kill?: boolean }): Promise<SyncPeer>;
  /** Cuts a peer off the relay (sockets drop, connects and HTTP fail) or reconnects it. */
  setOnline(name: string, online: boolean): void;
  /** Holds relay frames about matching documents back at the peer until `release`. */
  hold(name: string, docs: (doc: string) => boolean): void;
  release(name: string): void;
  /** Delivers until every client is quiet for three rounds and nothing new happens; returns the rounds taken. */
  flush(options?: FlushOptions): Promise<number>;
  /** `flush` until `done` holds (a frame the relay has not forwarded yet is invisible to quiet()). */
  until(done: () => boolean | Promise<boolean>, maxFlushes?: number): Promise<void>;
  close(): Promise<void>;
}
