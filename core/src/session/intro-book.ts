import { toHex, type UserId } from '../ids.js';
import type { StorageWrite } from '../ports/storage.js';
import { changeKey } from '../protocol/doc-change.js';
import { inboxDocId, sealIntro, type IntroGrant } from './intro.js';
import { introParts } from './intro-parts.js';
import type { QueuedPush } from './queued-push.js';
import type { SessionDeps } from './session-deps.js';

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

interface Pending {
  grants: Map<string, IntroGrant>;
  keys: Map<string, Uint8Array>;
}

export async function loadIntroBook(deps: Pick<SessionDeps, 'crypto' | 'identity' | 'storage' | 'keys' | 'queue'>): Promise<IntroBook> {
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
          const key = changeKey({ doc, device: identity.device, counter });
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
}
