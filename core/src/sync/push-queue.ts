import type { Clock } from '../ports/clock.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import type { RelayFetch } from '../ports/transport.js';
import type { EngineLink } from '../ports/engine-link.js';
import { decodeEnvelope, envelopeLastCounter } from '../protocol/envelope.js';
import { capabilityScopeOf } from '../protocol/relay-signing.js';
import { bytesEqual } from '../crypto/secret-key.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';
import type { CapabilityClaims } from './capability-claims.js';
import type { ClientRuntime } from './client-runtime.js';
import type { KeyStore } from '../session/key-store.js';
import { pullDoc } from './relay-http.js';
import { pushChanges, pushKeys, type QueuedPush } from '../session/queued-push.js';
import type { SyncStats } from './sync-types.js';

/**
 * Sealed envelopes on their way to the relay (SYNC-1, SYNC-12): pushed once each while
 * connected (incremental: only keys not in flight), taken out on `ack`, put back on a
 * retryable refusal, and after `replay`/`equivocation` checked against what the relay stored
 * (same bytes → acked; other bytes from this device at this counter → a conflict, never acked).
 * BATCH-8: a range is one push; its ack takes every change of it out of the outbox in one commit.
 */
export interface PushQueue {
  add(push: QueuedPush): void;
  /** Whether a queued push carries the change with this key (alone or in a range). */
  has(key: string): boolean;
  /**
   * BATCH-9: whether a push of `doc` is queued (in flight or waiting): the sealer then holds the
   * doc's later changes, to seal them as one range once it is acknowledged (`onDrained`).
   */
  busy(doc: string): boolean;
  /** Sends every queued envelope not in flight (claims first). */
  pushAll(): void;
  onAck(id: number): void;
  /** An `error` frame; `true` if it answered a push (or, without an id, may stand for any). */
  onError(id: number | undefined, code: string): boolean;
  /** The connection is gone: in-flight pushes go back to the send queue. */
  reset(): void;
  /** Cancels the retry timer (stop). */
  cancelRetry(): void;
  readonly inFlight: number;
  readonly size: number;
}

export interface PushQueueDeps {
  readonly rt: ClientRuntime;
  readonly queued: Map<string, QueuedPush>;
  readonly claims: CapabilityClaims;
  readonly engine: EngineLink;
  readonly storage: Storage;
  readonly fetch: RelayFetch;
  readonly keys: KeyStore;
  readonly clock: Clock;
  readonly retryMs: number;
  readonly stats: SyncStats;
  /** BATCH-9: the last queued push of `doc` left the queue (acked, or a conflict): seal what waits. */
  readonly onDrained?: (doc: string) => void;
  /** SNAP-4: the `supersedes` of a snapshot's push (snapshot-pusher.ts), by change key. */
  readonly supersedes?: (key: string) => number | undefined;
  /** SYNC-25: a claim run ended (subscriptions waiting for a claim may go now). */
  readonly onClaimsRun?: () => void;
}

export function createPushQueue(deps: PushQueueDeps): PushQueue {
  const { rt, queued, claims, engine, storage, keys, stats } = deps;
  /** Queued keys not in flight: `pushAll` sends only these (not a scan of the whole queue). */
  const unsent = new Set<string>(queued.keys());
  const inFlight = new Map<number, string>();
  /** Keys the relay holds different bytes for: kept out of the send queue, surfaced, never acked. */
  const conflicted = new Set<string>();
  /** Change key → the key of the push carrying it (a range carries several). */
  const covered = new Map<string, string>();
  /** Queued pushes per document (BATCH-9). */
  const perDoc = new Map<string, number>();
  const track = (p: QueuedPush): void => {
    for (const k of pushKeys(p)) covered.set(k, p.key);
    perDoc.set(p.doc, (perDoc.get(p.doc) ?? 0) + 1);
  };
  for (const p of queued.values()) track(p);
  /** Takes a push out of the queue (ack or conflict). */
  const remove = (p: QueuedPush): void => {
    queued.delete(p.key);
    for (const k of pushKeys(p)) if (covered.get(k) === p.key) covered.delete(k);
    const left = (perDoc.get(p.doc) ?? 1) - 1;
    if (left > 0) perDoc.set(p.doc, left);
    else {
      perDoc.delete(p.doc);
      deps.onDrained?.(p.doc);
    }
  };
  const requeue = (key: string): void => {
    if (queued.has(key)) unsent.add(key);
  };
  let claiming = false;
  let retryTimer: (() => void) | undefined;
  const scheduleRetry = (): void => {
    if (retryTimer !== undefined) return;
    retryTimer = deps.clock.setTimer(deps.retryMs, () => {
      retryTimer = undefined;
      pushAll();
    });
  };
  const pushAll = (): void => {
    if (!rt.authed()) return;
    // Capabilities first: an intro must not name a read token the relay does not know yet.
    if (claims.size > 0) {
      if (!claiming) {
        claiming = true;
        rt.enqueue(async () => {
          const token = rt.token();
          if (token !== undefined) await claims.run(deps.fetch, token);
          claiming = false;
          deps.onClaimsRun?.();
          if (claims.size === 0) pushAll();
        });
      }
      return;
    }
    for (const key of unsent) {
      unsent.delete(key);
      const p = queued.get(key);
      if (p === undefined) continue;
      const id = rt.nextId();
      inFlight.set(id, p.key);
      stats.pushed++;
      const supersedes = deps.supersedes?.(p.key);
      rt.send({ v: 1, t: 'push', id, env: toBase64(p.bytes), ...(supersedes === undefined ? {} : { supersedes }) });
    }
  };
  /** Takes an acknowledged envelope out of the queue at once (no resend), then forgets it durably. */
  const ackNow = (key: string): void => {
    const p = queued.get(key);
    if (p === undefined) return;
    stats.acked++;
    rt.enqueue(async () => {
      // One atomic commit: the outbox items and their push record go together (ADR 0014,
      // BATCH-8), so a crash never leaves an acknowledged change to be sealed again (new bytes
      // at a used counter).
      const record: StorageWrite[] = [{ type: 'deleteMeta', key: `sync/push/${key}` }];
      const changes = pushChanges(p);
      if (changes.length > 0) await engine.acknowledge(changes, record);
      else await storage.commit(record);
    });
    // After the ack's commit job: the doc's held changes are sealed behind it (BATCH-9).
    remove(p);
  };
  /**
   * H1: after `replay`/`equivocation`, pull the doc and look for this counter: the same bytes →
   * acknowledged; other bytes from this device at this counter → a conflict (never acked); absent → resend.
   */
  const checkStored = (key: string): void => {
    rt.enqueue(async () => {
      const p = queued.get(key);
      const mine = p === undefined ? undefined : decodeEnvelope(p.bytes);
      const retry = (): void => {
        requeue(key);
        scheduleRetry();
      };
      const token = rt.token();
      if (p === undefined || mine === undefined || !mine.ok || token === undefined) return retry();
      const h = mine.value;
      const hLast = envelopeLastCounter(h);
      const cap = keys.tokens(capabilityScopeOf(h.doc)).at(-1); // the newest (SYNC-24)
      let after = 0;
      for (;;) {
        const page = await pullDoc(deps.fetch, token, h.doc, cap, after);
        if (!page.ok) return retry();
        for (const e of page.value.entries) {
          const bytes = fromBase64(e.env);
          if (bytes === undefined) continue;
          if (bytesEqual(bytes, p.bytes)) {
            unsent.delete(key);
            return ackNow(key);
          }
          const theirs = decodeEnvelope(bytes);
          // BATCH-7: another envelope of this stream whose counters overlap mine.
          const overlaps = theirs.ok && theirs.value.counter <= hLast && envelopeLastCounter(theirs.value) >= h.counter;
          if (theirs.ok && overlaps && bytesEqual(theirs.value.device, h.device) && bytesEqual(theirs.value.author, h.author)) {
            remove(p);
            unsent.delete(key);
            conflicted.add(key);
            stats.conflicts++;
            return;
          }
        }
        if (!page.value.more || page.value.next <= after) break;
        after = page.value.next;
      }
      retry();
    });
  };
  return {
    add(push) {
      const again = queued.has(push.key);
      queued.set(push.key, push);
      if (again) for (const k of pushKeys(push)) covered.set(k, push.key);
      else track(push);
      unsent.add(push.key);
      pushAll();
    },
    has: (key) => covered.has(key),
    busy: (doc) => (perDoc.get(doc) ?? 0) > 0,
    pushAll,
    onAck(id) {
      const key = inFlight.get(id);
      inFlight.delete(id);
      if (key !== undefined) ackNow(key);
    },
    onError(id, code) {
      if (id === undefined) {
        // H1: an error without an id (a connection-level rate limit) may stand for any push in
        // flight: put them all back for a retry (a later duplicate ack is harmless).
        for (const [i, key] of inFlight) {
          inFlight.delete(i);
          requeue(key);
        }
        scheduleRetry();
        return true;
      }
      const key = inFlight.get(id);
      if (key === undefined) return false;
      inFlight.delete(id);
      if (code === 'not_the_author' || code === 'bad_signature') ackNow(key);
      // H1: never take replay/equivocation as an ack: check what the relay stored.
      else if (code === 'replay' || code === 'equivocation') checkStored(key);
      else {
        requeue(key);
        scheduleRetry();
      }
      return true;
    },
    reset() {
      inFlight.clear();
      for (const k of queued.keys()) unsent.add(k);
    },
    cancelRetry() {
      retryTimer?.();
      retryTimer = undefined;
    },
    get inFlight() {
      return inFlight.size;
    },
    get size() {
      return queued.size;
    },
  };
}
