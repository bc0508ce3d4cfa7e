import { toHex, type DocId, type UserId } from '../ids.js';
import type { StorageWrite } from '../ports/storage.js';
import { inboxDocId, sealIntro, type IntroGrant } from './intro.js';
import type { OwnSecrets } from './own-secrets.js';
import type { QueuedPush, SessionDeps } from './secure-session.js';

/**
 * Which introductions (SYNC-4) each user still needs, and which were sent (meta
 * `sync/intro/<user>/<fingerprint>`, committed with the intro envelope itself so a crash never
 * marks an intro sent that is not queued). Users whose box key is not known yet wait in
 * `waiting()` until the client looks them up.
 */
export interface IntroBook {
  grant(user: UserId, grant: IntroGrant): void;
  keyEnvelope(user: UserId, bytes: Uint8Array, fingerprint: string): void;
  /** Builds intro envelopes for every user with something pending and a known box key. */
  flush(): StorageWrite[];
  /** Hands the envelopes of the last flush to the push queue (after their commit). */
  queueFlushed(): void;
  waiting(): UserId[];
  /** The next counter of one of my envelope streams (inbox intros, key envelopes), persisted. */
  nextCounter(doc: string): { counter: number; write: StorageWrite };
  /** Whether `user` was sent the key named by `fingerprint`. */
  has(user: UserId, fingerprint: string): boolean;
}

/**
 * What one intro may carry so its receiver reads all of it (openIntro keeps the first 256 grants
 * and 64 key envelopes of an intro; an envelope is at most 1 MiB, and base64 in JSON inflates by
 * 4/3): beyond these, a user's pending grants and keys go in further intros.
 */
export const INTRO_MAX_GRANTS = 200;
export const INTRO_MAX_KEY_ENVELOPES = 48;
export const INTRO_MAX_KEY_BYTES = 512 * 1024;

/** Splits pending grants and key envelopes into intros within the limits above, in order. */
export function introParts<G, K extends Uint8Array>(
  grants: ReadonlyArray<readonly [string, G]>,
  keys: ReadonlyArray<readonly [string, K]>,
): Array<{ grants: Array<readonly [string, G]>; keys: Array<readonly [string, K]> }> {
  const parts: Array<{ grants: Array<readonly [string, G]>; keys: Array<readonly [string, K]>; bytes: number }> = [];
  const fresh = () => {
    const part = { grants: [] as Array<readonly [string, G]>, keys: [] as Array<readonly [string, K]>, bytes: 0 };
    parts.push(part);
    return part;
  };
  let part = fresh();
  for (const g of grants) {
    if (part.grants.length >= INTRO_MAX_GRANTS) part = fresh();
    part.grants.push(g);
  }
  for (const k of keys) {
    if (part.keys.length >= INTRO_MAX_KEY_ENVELOPES || (part.keys.length > 0 && part.bytes + k[1].length > INTRO_MAX_KEY_BYTES)) part = fresh();
    part.keys.push(k);
    part.bytes += k[1].length;
  }
  return parts.filter((p) => p.grants.length > 0 || p.keys.length > 0).map(({ grants: g, keys: k }) => ({ grants: g, keys: k }));
}

interface Pending {
  grants: Map<string, IntroGrant>;
  keys: Map<string, Uint8Array>;
}

export const IntroBook = {
  async load(deps: SessionDeps, _own: OwnSecrets, _inbox: DocId): Promise<IntroBook> {
    const { crypto, identity, storage, keys } = deps;
    const me = identity.userId;
    const sent = new Set<string>();
    for (const [key] of await storage.listMeta('sync/intro/')) sent.add(key.slice('sync/intro/'.length));
    const counters = new Map<string, number>();
    for (const [key, v] of await storage.listMeta('sync/ctr/')) if (typeof v === 'number') counters.set(key.slice('sync/ctr/'.length), v);
    const pending = new Map<UserId, Pending>();
    let ready: QueuedPush[] = [];
    const fp = (g: IntroGrant): string =>
      toHex(crypto.hash(new TextEncoder().encode(`${g.scope}|${g.token ?? ''}|${g.key === undefined ? '' : toHex(crypto.hash(g.key, 16))}`), 16));
    const slot = (user: UserId): Pending => {
      let p = pending.get(user);
      if (p === undefined) pending.set(user, (p = { grants: new Map(), keys: new Map() }));
      return p;
    };
    return {
      grant(user, grant) {
        const f = fp(grant);
        if (!sent.has(`${user}/${f}`)) slot(user).grants.set(f, grant);
      },
      keyEnvelope(user, bytes, fingerprint) {
        if (!sent.has(`${user}/${fingerprint}`)) slot(user).keys.set(fingerprint, bytes);
      },
      nextCounter(doc) {
        const counter = (counters.get(doc) ?? 0) + 1;
        counters.set(doc, counter);
        return { counter, write: { type: 'putMeta', key: `sync/ctr/${doc}`, value: counter } };
      },
      has: (user, fingerprint) => sent.has(`${user}/${fingerprint}`),
      flush() {
        const writes: StorageWrite[] = [];
        for (const [user, p] of pending) {
          const boxKey = user === me ? identity.public.boxKey : keys.user(user)?.boxKey;
          if (boxKey === undefined) continue;
          pending.delete(user);
          if (p.grants.size === 0 && p.keys.size === 0) continue;
          const doc = inboxDocId(crypto, user);
          for (const part of introParts([...p.grants], [...p.keys])) {
            const counter = (counters.get(doc) ?? 0) + 1;
            counters.set(doc, counter);
            const bytes = sealIntro(crypto, identity, { user, boxKey }, { grants: part.grants.map(([, g]) => g), keyEnvelopes: part.keys.map(([, k]) => k) }, counter);
            const key = `${doc}|${counter}`;
            writes.push({ type: 'putMeta', key: `sync/ctr/${doc}`, value: counter }, { type: 'putMeta', key: `sync/push/${key}`, value: bytes });
            for (const [f] of [...part.grants, ...part.keys]) {
              sent.add(`${user}/${f}`);
              writes.push({ type: 'putMeta', key: `sync/intro/${user}/${f}`, value: true });
            }
            ready.push({ key, doc, bytes });
          }
        }
        return writes;
      },
      queueFlushed() {
        const out = ready;
        ready = [];
        for (const push of out) deps.queue(push);
      },
      waiting: () => [...pending.keys()],
    };
  },
};
