import { capabilityScopeOf } from '../protocol/relay-signing.js';
import type { ClientRuntime } from './client-runtime.js';
import type { KeyStore } from '../session/key-store.js';

/**
 * The relay logs this client reads (SYNC-5, SYNC-6): one `sub` per wanted document, resuming
 * after its cursor, with the scope's read tokens tried newest first (`forbidden` → the newest one
 * not tried yet, also one that arrived meanwhile; none left → `denied` until new tokens arrive).
 * A live one ended with `forbidden` by a rotation (SYNC-24, L2) goes on the same way. A `sub` that could not be sent (no
 * authenticated connection) is forgotten, so the next `refresh` sends it again; a transient
 * refusal (`rate_limited`, `storage_failed`) is retried after `retryLater`; any other refusal
 * (e.g. `invalid_argument` "already subscribed") marks it `denied` instead of resending at once
 * (SYNC-18). SYNC-25: a document whose scope this client still has to claim is not subscribed
 * until the claim settled — the relay would answer `forbidden` (no record yet), the sub would give
 * its token up and end `denied`; the refresh after the claims ran (`afterAuth`, the push queue's
 * claim run) subscribes it.
 */
export interface Subscriptions {
  /** Subscribes every wanted document not subscribed yet (and, if asked, retries denied ones). */
  refresh(retryDenied: boolean): void;
  /** An `ok` frame; false if it answered no subscription. */
  onOk(id: number): boolean;
  /** An `error` frame with an id; false if it answered no subscription. */
  onError(id: number, code: string): boolean;
  /** The connection is gone: every subscription must be made again. */
  reset(): void;
  /**
   * Reads `doc` again from its (lowered) cursor: `unsub`, then a new `sub` (SYNC-19). A doc not
   * subscribed is left to the next `refresh`.
   */
  resubscribe(doc: string): void;
  pending(): boolean;
  describe(): Record<string, string>;
}

interface Sub {
  state: 'pending' | 'ok' | 'denied';
  id: number;
  /** The token this subscription was sent with, and the ones refused (`forbidden`) before it. */
  cap: string | undefined;
  tried: Set<string>;
}

export interface SubscriptionDeps {
  readonly rt: ClientRuntime;
  readonly keys: KeyStore;
  readonly cursors: ReadonlyMap<string, number>;
  readonly wanted: () => Iterable<string>;
  /** Runs `fn` later (after the client's retry delay, on the injected clock). */
  readonly retryLater: (fn: () => void) => void;
  /** SYNC-25: whether a claim of `scope` waits to be stored at the relay (capability-claims.ts). */
  readonly claimPending: (scope: string) => boolean;
}

const TRANSIENT = new Set(['rate_limited', 'storage_failed']);

export function createSubscriptions(deps: SubscriptionDeps): Subscriptions {
  const { rt, keys, cursors } = deps;
  const subs = new Map<string, Sub>();
  const subById = new Map<number, string>();
  const subscribe = (doc: string): void => {
    const scope = capabilityScopeOf(doc);
    if (deps.claimPending(scope)) {
      // SYNC-25: subscribed by the refresh that follows the claim run.
      const waiting = subs.get(doc);
      if (waiting !== undefined) subById.delete(waiting.id);
      subs.delete(doc);
      return;
    }
    // Newest first: after a rotation (SYNC-24) the older tokens of a group are refused.
    const sub: Sub = subs.get(doc) ?? { state: 'pending', id: 0, cap: undefined, tried: new Set() };
    subs.set(doc, sub);
    const cap = [...keys.tokens(scope)].reverse().find((t) => !sub.tried.has(t));
    sub.cap = cap;
    if (cap === undefined) {
      sub.state = 'denied';
      return;
    }
    sub.state = 'pending';
    sub.id = rt.nextId();
    subById.set(sub.id, doc);
    if (!rt.send({ v: 1, t: 'sub', id: sub.id, doc, cap, after: cursors.get(doc) ?? 0 })) {
      // Not connected (e.g. a retry queued before the connection dropped): a pending entry would
      // never be answered and never be sent again; forget it, the next refresh subscribes.
      subs.delete(doc);
      subById.delete(sub.id);
    }
  };
  const byId = (id: number): { doc: string; sub: Sub } | undefined => {
    const doc = subById.get(id);
    const sub = doc === undefined ? undefined : subs.get(doc);
    return doc !== undefined && sub !== undefined && sub.id === id ? { doc, sub } : undefined;
  };
  return {
    refresh(retryDenied) {
      if (!rt.authed()) return;
      for (const doc of deps.wanted()) {
        const s = subs.get(doc);
        if (s === undefined) subscribe(doc);
        else if (s.state === 'denied' && retryDenied) {
          s.tried.clear();
          subscribe(doc);
        }
      }
    },
    onOk(id) {
      const found = byId(id);
      if (found === undefined) return subById.has(id);
      rt.enqueue(() => Promise.resolve(void (found.sub.state = 'ok')));
      return true;
    },
    onError(id, code) {
      const found = byId(id);
      if (found === undefined) return false;
      const { doc, sub } = found;
      if (code === 'forbidden') {
        if (sub.cap !== undefined) sub.tried.add(sub.cap);
        rt.enqueue(() => Promise.resolve(subscribe(doc)));
      } else if (TRANSIENT.has(code)) {
        deps.retryLater(() => {
          if (subs.get(doc) === sub && sub.id === id) rt.enqueue(() => Promise.resolve(subscribe(doc)));
        });
      } else {
        // Resending at once would loop (the relay answers the same again): wait for a refresh.
        // An `ok` already taken for this id stays (a duplicated sub: the first one is live).
        rt.enqueue(() => Promise.resolve(void (sub.state = sub.state === 'ok' ? 'ok' : 'denied')));
      }
      return true;
    },
    reset() {
      subs.clear();
      subById.clear();
    },
    resubscribe(doc) {
      const s = subs.get(doc);
      if (s === undefined || !rt.authed()) return;
      if (s.state !== 'denied') rt.send({ v: 1, t: 'unsub', id: rt.nextId(), doc });
      subs.delete(doc);
      subById.delete(s.id);
      subscribe(doc);
    },
    pending: () => [...subs.values()].some((s) => s.state === 'pending'),
    describe: () => Object.fromEntries([...subs].map(([d, s]) => [d, s.state])),
  };
}
