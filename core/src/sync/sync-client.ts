import type { UserId } from '../ids.js';
import { fail, KithError, ok } from '../errors.js';
import type { StorageWrite } from '../ports/storage.js';
import type { TransportConnection } from '../ports/transport.js';
import type { DocChange } from '../protocol/doc-change.js';
import { decodeEnvelope } from '../protocol/envelope.js';
import { deviceIdToBytes } from '../crypto/identity.js';
import { bytesEqual } from '../crypto/secret-key.js';
import { fromBase64, toBase64 } from './base64.js';
import { loadClientState } from './client-state.js';
import { loadCounterStore } from './counter-store.js';
import { loadGrantPolicy } from './grant-policy.js';
import { createIntroHandler } from './intro-handler.js';
import { loadKeyStore } from './key-store.js';
import { loadMembershipReplicas } from './membership-replicas.js';
import { claimCapability, getBlob, lookupAccount, login, pullDoc, putBlob } from './relay-http.js';
import { openAttachment, sealAttachment } from './attachments.js';
import { capabilityScopeOf } from '../protocol/relay-signing.js';
import { parseRelayFrame, type ClientFrame, type ServerFrame } from './relay-wire.js';
import { createSecureSession } from './secure-session.js';
import { createSignals } from './signals.js';
import { nextChunk, wantedDocs } from './wanted-docs.js';

import type { SyncClient, SyncClientOptions, SyncState, SyncStats } from './sync-types.js';
export type { SyncClient, SyncClientOptions, SyncState, SyncStats } from './sync-types.js';


interface Sub {
  state: 'pending' | 'ok' | 'denied';
  id: number;
  token: number;
}

/**
 * Refusals that a later key or membership change can turn into success: the envelope is parked
 * (bounded, H3) instead of dropped. `decrypt_failed` is one of them: both sides of a direct
 * conversation may create a pair key before either hears from the other, so an envelope can
 * arrive sealed under the peer's candidate key before the intro carrying that key (KEY-8).
 */
const RETRY_CODES = new Set(['unknown_epoch', 'unknown_conversation', 'not_a_member', 'decrypt_failed']);
/**
 * M1: refusals after opening that say "not now" rather than "never": the engine is full
 * (`rate_limited`: MAX_HELD held changes or too many unknown groups) or the decode sandbox is
 * unavailable (`closed`). The counter is NOT recorded and the envelope is parked; any other
 * refusal records the counter (a replay of it is recognised) and drops the envelope.
 */
const TRANSIENT_CODES = new Set(['rate_limited', 'closed']);
/** H3: parked envelopes kept per (doc, author). */
export const MAX_PARKED_PER_AUTHOR = 64;

export async function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  const { kith, identity, crypto, transport, clock, random, storage } = options;
  if (options.vet === undefined && kith.backend === 'yjs' && options.unsafeNoDecodeSandbox !== true) {
    // H4 (SYNC-15): fail closed. Yjs can hang on a crafted update; every update from another
    // person must be decoded in the sandbox first.
    throw new KithError('invalid_argument', 'a sync client on the Yjs backend needs `vet` (vetWithSandbox); `unsafeNoDecodeSandbox: true` turns this off (tests only)');
  }
  const me = identity.userId;
  const myDevice = deviceIdToBytes(identity.device);
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  const stats: SyncStats = { pushed: 0, acked: 0, received: 0, rejected: 0, parked: 0, intros: 0, reconnects: 0, refused: 0, conflicts: 0, deferred: 0, equivocations: 0 };
  const keys = await loadKeyStore(crypto, storage, options.vault);
  const counters = await loadCounterStore(storage);
  const replicas = await loadMembershipReplicas(storage, (conv, view) => keys.keyring.revalidate(conv, view));
  const { queued, claims, cursors, follows, chunks } = await loadClientState(storage, kith);
  const policy = await loadGrantPolicy({ crypto, storage, me, replicas });
  /** Queued keys not in flight: `pushAll` sends only these (incremental, not a scan of the whole queue). */
  const unsent = new Set<string>(queued.keys());
  const requeue = (key: string): void => {
    if (queued.has(key)) unsent.add(key);
  };
  let kick = (): void => undefined;
  const session = await createSecureSession({
    crypto,
    identity,
    kith,
    storage,
    clock,
    keys,
    replicas,
    counters: counters.tracker,
    isUnverifiedToken: (scope, t) => policy.isUnverified(scope, t),
    claim(scope, token, peer) {
      claims.set(scope, { token, ...(peer === undefined ? {} : { peer }) });
      return [{ type: 'putMeta', key: `sync/claim/${scope}`, value: { token, ...(peer === undefined ? {} : { peer }) } }];
    },
    queue(push) {
      queued.set(push.key, push);
      unsent.add(push.key);
      kick();
    },
  });
  const handleIntro = createIntroHandler({ crypto, identity, keys, replicas, authorize: session.authorize, now: () => clock.now(), counters: counters.tracker, policy });

  // Own scopes: tokens derived from the bundle, claimed once per account.
  {
    const writes: StorageWrite[] = [];
    const own: Array<[string, string]> = [
      [`account:${me}`, session.own.accountToken],
      [`profile:${me}`, session.own.profileToken],
      [capabilityScopeOf(session.inbox), session.own.inboxToken],
    ];
    const done = new Set((await storage.listMeta('sync/claimed/')).map(([k]) => k.slice('sync/claimed/'.length)));
    for (const [scope, token] of own) {
      writes.push(...keys.addToken(scope, token));
      if (!done.has(scope) && !claims.has(scope)) claims.set(scope, { token });
    }
    if (writes.length > 0) await storage.commit(writes);
  }

  // Runtime state.
  let state: SyncState = 'offline';
  let conn: TransportConnection | undefined;
  let token: string | undefined;
  let authed = false;
  let stopped = true;
  let attempt = 0;
  let cancelRetry: (() => void) | undefined;
  let nextId = 1;
  let work: Promise<void> = Promise.resolve();
  let pendingWork = 0;
  const inFlight = new Map<number, string>();
  const subs = new Map<string, Sub>();
  const subById = new Map<number, string>();
  const held: DocChange[] = [];
  const parked: Array<{ doc: string; seq: number; bytes: Uint8Array; author: string }> = [];
  /** M1: per doc, the lowest seq of a deferred envelope that did not fit the parked bound. */
  const floors = new Map<string, number>();
  const parkAuthor = (bytes: Uint8Array): string => {
    const h = decodeEnvelope(bytes);
    return h.ok ? toBase64(h.value.author) : '';
  };
  const stateListeners = new Set<(s: SyncState) => void>();
  const signals = createSignals({ crypto, identity, keys, send: (f) => send(f), nextId: () => nextId++ });

  const setState = (s: SyncState): void => {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  };
  const refreshState = (): void => {
    if (conn === undefined) return setState('offline');
    if (!authed) return setState('connecting');
    const busy = inFlight.size > 0 || [...subs.values()].some((s) => s.state === 'pending') || pendingWork > 0 || queued.size > 0;
    if (busy) return setState('syncing');
    setState(kith.gaps().length > 0 ? 'gap' : 'upToDate');
  };
  const send = (frame: ClientFrame): boolean => {
    if (conn === undefined || !authed) return false;
    conn.send(JSON.stringify(frame));
    return true;
  };
  const enqueue = (fn: () => Promise<void>): void => {
    pendingWork++;
    work = work
      .then(fn)
      .catch(() => void stats.rejected++)
      .finally(() => {
        pendingWork--;
        refreshState();
      });
  };

  // Outgoing.
  const sealOne = async (change: DocChange): Promise<boolean> => {
    const key = `${change.doc}|${change.counter}`;
    if (queued.has(key)) return true;
    const r = await session.sealOutgoing(change);
    return r.ok;
  };
  const sealHeldAndNew = async (change?: DocChange): Promise<void> => {
    if (change !== undefined) held.push(change);
    const blocked = new Set<string>();
    for (let i = 0; i < held.length; ) {
      const c = held[i]!;
      if (!blocked.has(c.doc) && (await sealOne(c))) {
        held.splice(i, 1);
      } else {
        blocked.add(c.doc);
        i++;
      }
    }
  };
  let claiming = false;
  const pushAll = (): void => {
    if (!authed) return;
    // Capabilities first: an intro must not name a read token the relay does not know yet.
    if (claims.size > 0) {
      if (!claiming) {
        claiming = true;
        enqueue(async () => {
          await runClaims();
          claiming = false;
          if (claims.size === 0) pushAll();
        });
      }
      return;
    }
    for (const key of unsent) {
      unsent.delete(key);
      const p = queued.get(key);
      if (p === undefined) continue;
      const id = nextId++;
      inFlight.set(id, p.key);
      stats.pushed++;
      send({ v: 1, t: 'push', id, env: toBase64(p.bytes) });
    }
  };
  /** Takes an acknowledged envelope out of the queue at once (no resend), then forgets it durably. */
  const ackNow = (key: string): void => {
    const p = queued.get(key);
    if (p === undefined) return;
    queued.delete(key);
    stats.acked++;
    enqueue(async () => {
      if (p.change !== undefined) await kith.acknowledge(p.change);
      await storage.commit([{ type: 'deleteMeta', key: `sync/push/${key}` }]);
    });
  };

  // Subscriptions.
  const subscribe = (doc: string): void => {
    const scope = capabilityScopeOf(doc);
    const tokens = keys.tokens(scope);
    const sub = subs.get(doc) ?? { state: 'pending', id: 0, token: 0 };
    subs.set(doc, sub);
    const cap = tokens[sub.token];
    if (cap === undefined) {
      sub.state = 'denied';
      return;
    }
    sub.state = 'pending';
    sub.id = nextId++;
    subById.set(sub.id, doc);
    send({ v: 1, t: 'sub', id: sub.id, doc, cap, after: cursors.get(doc) ?? 0 });
  };
  const refreshSubs = (retryDenied: boolean): void => {
    if (!authed) return;
    const wanted = wantedDocs({ me, inbox: session.inbox, kith, follows, chunks, replicas, keys, known: [] });
    for (const doc of wanted) {
      const s = subs.get(doc);
      if (s === undefined) subscribe(doc);
      else if (s.state === 'denied' && retryDenied) {
        s.token = 0;
        subscribe(doc);
      }
    }
  };

  // Incoming.
  const isMine = (bytes: Uint8Array): boolean => {
    const d = decodeEnvelope(bytes);
    return d.ok && bytesEqual(d.value.device, myDevice) && bytesEqual(d.value.author, identity.public.signingKey);
  };
  /** `defer`: opened but refused for now (M1), counter not recorded; parked like `park`. */
  const applyEnvelope = async (doc: string, bytes: Uint8Array): Promise<'ok' | 'park' | 'defer' | 'drop'> => {
    if (doc === session.inbox) {
      const r = handleIntro(bytes);
      if (!r.ok) return 'drop';
      stats.intros++;
      const writes = [...r.value.writes];
      for (const f of r.value.follow) if (!follows.has(f)) {
        follows.add(f);
        writes.push({ type: 'putMeta', key: `sync/follow/${f}`, value: true });
      }
      await storage.commit(writes);
      return 'ok';
    }
    if (isMine(bytes)) return 'ok';
    const r = session.open(bytes);
    if (!r.ok) return RETRY_CODES.has(r.error.code) ? 'park' : 'drop';
    const opened = r.value;
    const settle = async (taken: boolean): Promise<void> => {
      const c = await session.accept(opened, taken);
      if (!c.ok && c.error.code === 'equivocation') stats.equivocations++;
    };
    if (options.vet !== undefined && opened.change.kind === 'update') {
      const v = await options.vet(opened.change);
      if (!v.ok) {
        if (TRANSIENT_CODES.has(v.error.code)) return 'defer';
        await settle(false);
        return 'drop';
      }
    }
    const next = nextChunk(doc);
    if (next !== undefined) chunks.add(next);
    const applied = kith.receive(opened.change);
    if (!applied.ok) {
      if (TRANSIENT_CODES.has(applied.error.code)) return 'defer';
      stats.refused++;
      await settle(false);
      return 'drop';
    }
    await settle(true);
    stats.received++;
    return 'ok';
  };
  const retryParked = async (): Promise<boolean> => {
    let progress = false;
    for (let i = 0; i < parked.length; ) {
      const p = parked[i]!;
      const r = await applyEnvelope(p.doc, p.bytes);
      if (r === 'park' || r === 'defer') i++;
      else {
        parked.splice(i, 1);
        progress = true;
      }
    }
    return progress;
  };
  const persistCursors = async (docs: Iterable<string>): Promise<void> => {
    await kith.idle();
    const writes: StorageWrite[] = [];
    for (const doc of docs) {
      const low = parked.filter((p) => p.doc === doc).reduce((m, p) => Math.min(m, p.seq - 1), (floors.get(doc) ?? Infinity) - 1);
      const seq = Math.min(cursors.get(doc) ?? 0, low);
      writes.push({ type: 'putMeta', key: `sync/cursor/${doc}`, value: seq });
    }
    // M6: the counters of what was opened go with the cursors (a restart never re-opens as new
    // an envelope it already gave the engine, whatever the relay replays).
    writes.push(...counters.takeWrites());
    if (writes.length > 0) await storage.commit(writes);
  };
  // Entries are coalesced: live `entry` frames that arrive together are applied in one job.
  const inbound = new Map<string, Array<{ seq: number; env: string }>>();
  let draining = false;
  const onEntries = (doc: string, entries: ReadonlyArray<{ seq: number; env: string }>): void => {
    const list = inbound.get(doc) ?? [];
    list.push(...entries);
    inbound.set(doc, list);
    if (draining) return;
    draining = true;
    enqueue(async () => {
      draining = false;
      const batch = [...inbound];
      inbound.clear();
      let changed = false;
      for (const [d, list] of batch) {
        for (const e of list) {
          if (e.seq <= (cursors.get(d) ?? 0)) continue;
          const bytes = fromBase64(e.env);
          const r = bytes === undefined ? 'drop' : await applyEnvelope(d, bytes);
          if (r === 'defer') stats.deferred++;
          if ((r === 'park' || r === 'defer') && bytes !== undefined) {
            // H3: at most MAX_PARKED_PER_AUTHOR per (doc, author); beyond that the envelope is
            // dropped and the cursor moves past it (anyone may push junk: no write capability).
            // M1: a deferred one (signed, authorized, refused only for now) is not dropped for
            // good: the persisted cursor stays before it, so the next start pulls it again.
            const author = parkAuthor(bytes);
            if (parked.filter((p) => p.doc === d && p.author === author).length >= MAX_PARKED_PER_AUTHOR) {
              stats.rejected++;
              if (r === 'defer' && e.seq < (floors.get(d) ?? Infinity)) floors.set(d, e.seq);
            } else {
              parked.push({ doc: d, seq: e.seq, bytes, author });
              stats.parked++;
            }
          } else if (r === 'drop') stats.rejected++;
          else changed = true;
          cursors.set(d, e.seq);
        }
      }
      if (changed) {
        while (await retryParked()) {
          // keys or membership learnt: parked envelopes may open now
        }
        await session.replan();
        await sealHeldAndNew();
        await resolveUnknownUsers();
      }
      await persistCursors(batch.map(([d]) => d));
      refreshSubs(changed);
      pushAll();
    });
  };
  const keyChanges: { username: string; user: UserId }[] = [];
  const resolveUnknownUsers = async (): Promise<void> => {
    const unknown = [...session.groupKeys.unknownUsers(), ...session.book.waiting()].filter((u) => u !== me && keys.user(u) === undefined);
    let learnt = false;
    for (const u of new Set(unknown)) {
      const name = kith.profile.get(u).username;
      if (name === '' || name === undefined) continue;
      const r = await lookupAccount(transport.fetch, crypto, name);
      if (!r.ok || r.value.userId !== u) continue;
      const writes = keys.observeUser(name, r.value.identity);
      if (!writes.ok) {
        keyChanges.push({ username: name, user: u });
        continue;
      }
      await storage.commit(writes.value);
      learnt = true;
    }
    if (learnt) await session.replan();
  };

  const runClaims = async (): Promise<void> => {
    if (token === undefined) return;
    for (const [scope, c] of [...claims]) {
      const r = await claimCapability(transport.fetch, token, identity, scope, c.token, c.peer);
      if (r.ok || r.error.code === 'conflict' || r.error.code === 'forbidden') {
        claims.delete(scope);
        await storage.commit([
          { type: 'deleteMeta', key: `sync/claim/${scope}` },
          { type: 'putMeta', key: `sync/claimed/${scope}`, value: true },
        ]);
      }
    }
  };

  const onFrame = (f: ServerFrame): void => {
    switch (f.t) {
      case 'authed':
        authed = true;
        attempt = 0;
        enqueue(async () => {
          await runClaims();
          refreshSubs(true);
          pushAll();
        });
        return;
      case 'ack': {
        const key = inFlight.get(f.id);
        inFlight.delete(f.id);
        if (key !== undefined) ackNow(key);
        return;
      }
      case 'entries':
        onEntries(f.doc, f.entries);
        return;
      case 'entry':
        onEntries(f.doc, [f]);
        return;
      case 'ok': {
        const doc = subById.get(f.id);
        const sub = doc === undefined ? undefined : subs.get(doc);
        if (sub !== undefined && sub.id === f.id) enqueue(() => Promise.resolve(void (sub.state = 'ok')));
        return;
      }
      case 'error': {
        if (f.id === undefined) {
          // H1: an error without an id (a connection-level rate limit) may stand for any push in
          // flight: put them all back for a retry (a later duplicate ack is harmless).
          for (const [id, key] of inFlight) {
            inFlight.delete(id);
            requeue(key);
          }
          scheduleRetryPush();
          return;
        }
        const key = inFlight.get(f.id);
        if (key !== undefined) {
          inFlight.delete(f.id);
          if (f.code === 'not_the_author' || f.code === 'bad_signature') ackNow(key);
          // H1: never take replay/equivocation as an ack: check what the relay stored.
          else if (f.code === 'replay' || f.code === 'equivocation') checkStored(key);
          else {
            requeue(key);
            scheduleRetryPush();
          }
          return;
        }
        const doc = subById.get(f.id);
        const sub = doc === undefined ? undefined : subs.get(doc);
        if (doc !== undefined && sub !== undefined && sub.id === f.id) {
          if (f.code === 'forbidden') sub.token++;
          enqueue(() => Promise.resolve(subscribe(doc)));
        }
        return;
      }
      case 'presence':
        signals.onPresence(f.from, f.state);
        return;
      case 'signal':
        signals.onSignal(f.from, f.kind, f.body);
        return;
      default:
        return;
    }
  };
  /** Keys the relay holds different bytes for: kept out of the send queue, surfaced, never acked. */
  const conflicted = new Set<string>();
  /**
   * H1: after `replay`/`equivocation`, pull the doc and look for this counter: the same bytes →
   * acknowledged; other bytes from this device at this counter → a conflict (never acked); absent → resend.
   */
  const checkStored = (key: string): void => {
    enqueue(async () => {
      const p = queued.get(key);
      const mine = p === undefined ? undefined : decodeEnvelope(p.bytes);
      const retry = (): void => {
        requeue(key);
        scheduleRetryPush();
      };
      if (p === undefined || mine === undefined || !mine.ok || token === undefined) return retry();
      const h = mine.value;
      const cap = keys.tokens(capabilityScopeOf(h.doc))[0];
      let after = 0;
      for (;;) {
        const page = await pullDoc(transport.fetch, token, h.doc, cap, after);
        if (!page.ok) return retry();
        for (const e of page.value.entries) {
          const bytes = fromBase64(e.env);
          if (bytes === undefined) continue;
          if (bytesEqual(bytes, p.bytes)) {
            unsent.delete(key);
            return ackNow(key);
          }
          const theirs = decodeEnvelope(bytes);
          if (theirs.ok && theirs.value.counter === h.counter && bytesEqual(theirs.value.device, h.device) && bytesEqual(theirs.value.author, h.author)) {
            queued.delete(key);
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
  let retryPushTimer: (() => void) | undefined;
  const scheduleRetryPush = (): void => {
    if (retryPushTimer !== undefined) return;
    retryPushTimer = clock.setTimer(backoff.baseMs, () => {
      retryPushTimer = undefined;
      pushAll();
    });
  };

  const connect = (): void => {
    if (stopped || conn !== undefined) return;
    setState('connecting');
    const c = transport.connect({
      onOpen: () => {
        enqueue(async () => {
          const t = await login(transport.fetch, identity);
          if (!t.ok || conn !== c) {
            c.close(4000, 'login failed');
            return;
          }
          token = t.value;
          c.send(JSON.stringify({ v: 1, t: 'auth', id: nextId++, token: t.value } satisfies ClientFrame));
        });
      },
      onMessage: (data) => {
        const f = parseRelayFrame(data);
        if (!f.ok) {
          stats.rejected++;
          return;
        }
        onFrame(f.value);
      },
      onClose: () => {
        if (conn !== c) return;
        conn = undefined;
        authed = false;
        inFlight.clear();
        for (const k of queued.keys()) unsent.add(k);
        subs.clear();
        subById.clear();
        refreshState();
        if (stopped) return;
        const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt++);
        const jitter = 0.5 + (random.bytes(1)[0]! / 255) * 0.5;
        cancelRetry = clock.setTimer(Math.round(exp * jitter), () => {
          cancelRetry = undefined;
          stats.reconnects++;
          connect();
        });
      },
    });
    conn = c;
  };
  kick = () => pushAll();

  kith.onOutgoing((change) => enqueue(() => sealHeldAndNew(change)));
  // Changes the engine still holds unacknowledged and that were never sealed (a crash before sealing).
  enqueue(async () => {
    for (const c of kith.outbox()) if (!queued.has(`${c.doc}|${c.counter}`)) held.push(c);
    await sealHeldAndNew();
  });

  return {
    get state() {
      return state;
    },
    stats,
    start() {
      stopped = false;
      connect();
    },
    async stop() {
      stopped = true;
      cancelRetry?.();
      retryPushTimer?.();
      const c = conn;
      conn = undefined;
      authed = false;
      // Known bug (stop then start never re-subscribed): the close handler ignores this
      // connection, so forget its subscriptions and in-flight pushes here.
      inFlight.clear();
      for (const k of queued.keys()) unsent.add(k);
      subs.clear();
      subById.clear();
      c?.close(1000, 'stop');
      await work;
      refreshState();
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    async lookup(username) {
      const r = await lookupAccount(transport.fetch, crypto, username);
      if (!r.ok) return r;
      const writes = keys.observeUser(username, r.value.identity);
      if (!writes.ok) {
        if (!keyChanges.some((k) => k.username === username)) keyChanges.push({ username, user: r.value.userId });
        return writes;
      }
      if (writes.value.length > 0) await storage.commit(writes.value);
      return ok(r.value.userId);
    },
    keyChanges: () => [...keyChanges],
    async acceptKeyChange(username) {
      const r = await lookupAccount(transport.fetch, crypto, username);
      if (!r.ok) return r;
      await storage.commit(keys.acceptKeyChange(username, r.value.identity));
      for (let i = keyChanges.length - 1; i >= 0; i--) if (keyChanges[i]?.username === username) keyChanges.splice(i, 1);
      return ok(r.value.userId);
    },
    quiet: () => pendingWork === 0 && (conn === undefined || (inFlight.size === 0 && queued.size === 0 && ![...subs.values()].some((s) => s.state === 'pending'))),
    idle: async () => {
      await work;
      await kith.idle();
    },
    session: () => token,
    setPresence(presence, to) {
      send({ v: 1, t: 'presence', id: nextId++, state: presence, to: [...to] });
    },
    signal(to, kind, payload, device) {
      if (!authed) return fail('offline', 'not connected');
      return signals.send(to, kind, payload, device);
    },
    onSignal: (l) => signals.listen(l),
    async uploadAttachment(conversation, input) {
      const sealed = sealAttachment(crypto, keys.keyring, conversation, input);
      if (!sealed.ok) return sealed;
      if (token === undefined) return fail('offline', 'not authenticated');
      const put = await putBlob(transport.fetch, token, sealed.value.attachment.blob, sealed.value.blob);
      return put.ok ? ok(sealed.value.attachment) : put;
    },
    async downloadAttachment(conversation, attachment) {
      if (token === undefined) return fail('offline', 'not authenticated');
      const blob = await getBlob(transport.fetch, token, attachment.blob);
      if (!blob.ok) return blob;
      return openAttachment(crypto, keys.keyring, conversation, attachment, blob.value);
    },
    describe: () => ({
      subs: Object.fromEntries([...subs].map(([d, s]) => [d, s.state])),
      cursors: Object.fromEntries(cursors),
      parked: parked.length,
      held: held.length,
      queued: queued.size,
    }),
    onPresence: (l) => signals.listenPresence(l),
  };
}
