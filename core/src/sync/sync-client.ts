import { fail, KithError, ok } from '../errors.js';
import type { ConversationId } from '../ids.js';
import type { StorageWrite } from '../ports/storage.js';
import type { TransportConnection } from '../ports/transport.js';
import { capabilityScopeOf } from '../protocol/relay-signing.js';
import { createCapabilityClaims } from './capability-claims.js';
import type { ClientRuntime } from './client-runtime.js';
import { loadClientState } from './client-state.js';
import { loadCounterStore } from '../session/counter-store.js';
import { createDirectoryLookups } from './directory-lookups.js';
import { loadGrantPolicy } from '../session/grant-policy.js';
import { createInboundApplier } from './inbound-applier.js';
import { createIntroHandler } from '../session/intro-handler.js';
import { loadKeyStore } from '../session/key-store.js';
import { loadMembershipReplicas } from '../session/membership-replicas.js';
import { createOutgoingSealer } from './outgoing-sealer.js';
import { createPushQueue } from './push-queue.js';
import { getBlob, login, putBlob } from './relay-http.js';
import { openAttachment, sealAttachment } from './attachments.js';
import { parseRelayFrame, type ClientFrame, type ServerFrame } from './relay-wire.js';
import { createSecureSession } from '../session/secure-session.js';
import { checkRotationPolicy } from '../crypto/epoch-planner.js';
import { createSignals } from './signals.js';
import { createSubscriptions } from './subscriptions.js';
import { wantedDocs } from './wanted-docs.js';

import type { SyncClient, SyncClientOptions, SyncState, SyncStats, UndeliverableChange } from './sync-types.js';
export type { SyncClient, SyncClientOptions, SyncState, SyncStats, UndeliverableChange } from './sync-types.js';
export { MAX_PARKED_PER_AUTHOR } from './inbound-applier.js';

/**
 * The sync client (ADR 0009, PROTOCOL § Sync): wires the secure session (seal/open, intros,
 * epochs) to one relay connection — capability claims, push queue, subscriptions, inbound
 * applier — and reports its state. Reconnects with backoff on the injected clock.
 */
export async function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  const { kith, identity, crypto, transport, clock, random, storage } = options;
  if (options.vet === undefined && kith.backend === 'yjs' && options.unsafeNoDecodeSandbox !== true) {
    // H4 (SYNC-15): fail closed. Yjs can hang on a crafted update; every update from another
    // person must be decoded in the sandbox first.
    throw new KithError('invalid_argument', 'a sync client on the Yjs backend needs `vet` (vetWithSandbox); `unsafeNoDecodeSandbox: true` turns this off (tests only)');
  }
  if (options.rotation !== undefined) {
    const policy = checkRotationPolicy(options.rotation);
    if (!policy.ok) throw policy.error;
  }
  const me = identity.userId;
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  const stats: SyncStats = { pushed: 0, acked: 0, received: 0, rejected: 0, parked: 0, intros: 0, reconnects: 0, refused: 0, conflicts: 0, deferred: 0, equivocations: 0, undeliverable: 0 };
  const keys = await loadKeyStore(crypto, storage, options.vault);
  const counters = await loadCounterStore(storage);
  const replicas = await loadMembershipReplicas(storage, (conv, view) => keys.keyring.revalidate(conv, view));
  const state0 = await loadClientState(storage, kith, keys);
  const { cursors, follows, chunks } = state0;
  const policy = await loadGrantPolicy({ crypto, storage, me, replicas });
  const claims = createCapabilityClaims(state0.claims, storage, identity, keys);

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
  const stateListeners = new Set<(s: SyncState) => void>();
  const rt: ClientRuntime = {
    send(frame: ClientFrame) {
      if (conn === undefined || !authed) return false;
      conn.send(JSON.stringify(frame));
      return true;
    },
    nextId: () => nextId++,
    authed: () => authed,
    token: () => token,
    enqueue(fn) {
      pendingWork++;
      work = work
        .then(fn)
        .catch(() => void stats.rejected++)
        .finally(() => {
          pendingWork--;
          refreshState();
        });
    },
  };

  const pushes = createPushQueue({ rt, queued: state0.queued, claims, engine: kith, storage, fetch: transport.fetch, keys, clock, retryMs: backoff.baseMs, stats });
  const session = await createSecureSession({
    crypto,
    identity,
    engine: kith,
    storage,
    clock,
    keys,
    replicas,
    counters: counters.tracker,
    isUnverifiedToken: (scope, t) => policy.isUnverified(scope, t),
    claim: (scope, t, peer) => claims.add(scope, t, peer),
    queue: (push) => pushes.add(push),
    ...(options.rotation === undefined ? {} : { rotation: options.rotation }),
  });
  const handleIntro = createIntroHandler({ crypto, identity, keys, replicas, authorize: session.authorize, now: () => clock.now(), counters: counters.tracker, policy });
  const lookups = createDirectoryLookups({ crypto, fetch: transport.fetch, keys, storage, engine: kith, session, me });
  const undeliverableListeners = new Set<(event: UndeliverableChange) => void>();
  const sealer = createOutgoingSealer(
    session,
    (key) => pushes.has(key),
    async (change) => {
      // SYNC-21: out of the outbox (durably), counted and reported; never pushed.
      stats.undeliverable++;
      await kith.acknowledge(change);
      const event: UndeliverableChange = { conversation: change.doc.split(':')[1] as ConversationId, doc: change.doc, counter: change.counter, code: 'not_a_member' };
      for (const l of undeliverableListeners) {
        try {
          l(event);
        } catch {
          // A throwing app listener must not stop sealing.
        }
      }
    },
  );
  const subs = createSubscriptions({
    rt,
    keys,
    cursors,
    wanted: () => wantedDocs({ me, inbox: session.inbox, engine: kith, follows, chunks, replicas, keys, known: [] }),
    retryLater: (fn) => void clock.setTimer(backoff.baseMs, fn),
  });
  const inbound = createInboundApplier({
    rt,
    identity,
    session,
    handleIntro,
    engine: kith,
    storage,
    vet: options.vet,
    stats,
    counters,
    cursors,
    follows,
    chunks,
    async onApplied() {
      await session.replan();
      await sealer.seal();
      await lookups.resolveUnknown();
    },
    afterBatch(applied) {
      subs.refresh(applied);
      pushes.pushAll();
    },
    rewind: (doc) => subs.resubscribe(doc),
  });
  const signals = createSignals({ crypto, identity, keys, send: (f) => rt.send(f), nextId: () => nextId++ });

  // Own scopes: tokens derived from the bundle, claimed once per account.
  {
    const writes: StorageWrite[] = [];
    const own: Array<[string, string]> = [
      [`account:${me}`, session.own.accountToken],
      [`profile:${me}`, session.own.profileToken],
      [capabilityScopeOf(session.inbox), session.own.inboxToken],
    ];
    const done = new Set((await storage.listMeta('sync/claimed/')).map(([k]) => k.slice('sync/claimed/'.length)));
    for (const [scope, t] of own) {
      writes.push(...keys.addToken(scope, t));
      if (!done.has(scope) && !claims.has(scope)) claims.addOwn(scope, t);
    }
    if (writes.length > 0) await storage.commit(writes);
  }

  const setState = (s: SyncState): void => {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  };
  function refreshState(): void {
    if (conn === undefined) return setState('offline');
    if (!authed) return setState('connecting');
    const busy = pushes.inFlight > 0 || subs.pending() || pendingWork > 0 || pushes.size > 0;
    if (busy) return setState('syncing');
    setState(kith.gaps().length > 0 ? 'gap' : 'upToDate');
  }
  /** The connection is gone (closed or stopped): pushes in flight and subscriptions start over. */
  const forgetConnection = (): void => {
    authed = false;
    pushes.reset();
    subs.reset();
  };

  const onFrame = (f: ServerFrame): void => {
    switch (f.t) {
      case 'authed':
        authed = true;
        attempt = 0;
        rt.enqueue(async () => {
          if (token !== undefined) await claims.run(transport.fetch, token);
          subs.refresh(true);
          pushes.pushAll();
        });
        return;
      case 'ack':
        pushes.onAck(f.id);
        return;
      case 'entries':
        inbound.onEntries(f.doc, f.entries);
        return;
      case 'entry':
        inbound.onEntries(f.doc, [f]);
        return;
      case 'ok':
        subs.onOk(f.id);
        return;
      case 'error':
        if (!pushes.onError(f.id, f.code) && f.id !== undefined) subs.onError(f.id, f.code);
        return;
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

  const connect = (): void => {
    if (stopped || conn !== undefined) return;
    setState('connecting');
    const c = transport.connect({
      onOpen: () => {
        rt.enqueue(async () => {
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
        forgetConnection();
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

  kith.onOutgoing((change) => rt.enqueue(() => sealer.seal(change)));
  // Changes the engine still holds unacknowledged and that were never sealed (a crash before sealing).
  rt.enqueue(async () => {
    for (const c of kith.outbox()) if (!pushes.has(`${c.doc}|${c.counter}`)) sealer.hold(c);
    await sealer.seal();
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
      pushes.cancelRetry();
      const c = conn;
      conn = undefined;
      // The close handler ignores this connection: forget its subscriptions and in-flight pushes here.
      forgetConnection();
      c?.close(1000, 'stop');
      await work;
      refreshState();
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    lookup: (username) => lookups.lookup(username),
    keyChanges: () => lookups.keyChanges(),
    acceptKeyChange: (username) => lookups.acceptKeyChange(username),
    quiet: () => pendingWork === 0 && (conn === undefined || (pushes.inFlight === 0 && pushes.size === 0 && !subs.pending())),
    idle: async () => {
      await work;
      await kith.idle();
    },
    session: () => token,
    setPresence(presence, to) {
      rt.send({ v: 1, t: 'presence', id: nextId++, state: presence, to: [...to] });
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
    describe: () => ({ subs: subs.describe(), cursors: Object.fromEntries(cursors), parked: inbound.parked, held: sealer.held, queued: pushes.size, epochs: session.groupKeys.epochs() }),
    onPresence: (l) => signals.listenPresence(l),
    onUndeliverable(listener) {
      undeliverableListeners.add(listener);
      return () => void undeliverableListeners.delete(listener);
    },
  };
}
