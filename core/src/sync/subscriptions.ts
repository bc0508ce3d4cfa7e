import { capabilityScopeOf } from '../protocol/relay-signing.js';
import type { ClientRuntime } from './client-runtime.js';
import type { KeyStore } from '../session/key-store.js';

/**
 * The relay logs this client reads (SYNC-5, SYNC-6): one `sub` per wanted document, resuming
 * after its cursor, with the scope's read tokens tried newest first (`forbidden` → the next one;
 * none left → `denied` until new tokens arrive; a live one ended with `forbidden` by a rotation,
 * SYNC-24, starts over from the newest). A `sub` that could not be sent (no
 * authenticated connection) is forgotten, so the next `refresh` sends it again; a transient
 * refusal (`rate_limited`, `storage_failed`) is retried after `retryLater`; any other refusal
 * (e.g. `invalid_argument` "already subscribed") marks it `denied` instead of resending at once
 * (SYNC-18).
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
  token: number;
}

export interface SubscriptionDeps {
  readonly rt: ClientRuntime;
  readonly keys: KeyStore;
  readonly cursors: ReadonlyMap<string, number>;
  readonly wanted: () => Iterable<string>;
  /** Runs `fn` later (after the client's retry delay, on the injected clock). */
  readonly retryLater: (fn: () => void) => void;
}

const TRANSIENT = new Set(['rate_limited', 'storage_failed']);

export function createSubscriptions(deps: SubscriptionDeps): Subscriptions {
  const { rt, keys, cursors } = deps;
  const subs = new Map<string, Sub>();
  const subById = new Map<number, string>();
  const subscribe = (doc: string): void => {
    const scope = capabilityScopeOf(doc);
    // Newest first: after a rotation (SYNC-24) the older tokens of a group are refused.
    const tokens = [...keys.tokens(scope)].reverse();
    const sub = subs.get(doc) ?? { state: 'pending', id: 0, token: 0 };
    subs.set(doc, sub);
    const cap = tokens[sub.token];
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
          s.token = 0;
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
        // A live subscription ended by a rotation (L2) starts over with the newest token.
        sub.token = sub.state === 'ok' ? 0 : sub.token + 1;
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
