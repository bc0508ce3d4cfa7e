import { fail } from '../errors.js';
import { afterAuth } from './after-auth.js';
import { createAttachmentTransfer } from './attachment-transfer.js';
import { createCapabilityRelay } from './capability-relay.js';
import type { ClientRuntime } from './client-runtime.js';
import { createConnection } from './connection.js';
import { createDirectoryLookups } from './directory-lookups.js';
import { routeServerFrame } from './frame-router.js';
import { createInboundApplier } from './inbound-applier.js';
import { createInternalErrors } from './internal-errors.js';
import { createOutgoingSealer } from './outgoing-sealer.js';
import { claimOwnScopes } from './own-scopes.js';
import { createPushQueue } from './push-queue.js';
import { loadSessionParts } from './session-parts.js';
import { createSignals } from './signals.js';
import { createSnapshotPusher } from './snapshot-pusher.js';
import { createSubscriptions } from './subscriptions.js';
import { createUndeliverableChanges } from './undeliverable-changes.js';
import { checkSyncOptions } from './sync-options.js';
import { createSyncState } from './sync-state.js';
import { wantedDocs } from './wanted-docs.js';
import { createWorkQueue } from './work-queue.js';
import type { SyncClient, SyncClientOptions, SyncStats } from './sync-types.js';
export type { SyncClient, SyncClientOptions, SyncState, SyncStats, UndeliverableChange } from './sync-types.js';
export { MAX_PARKED_PER_AUTHOR } from './inbound-applier.js';

/**
 * The sync client (ADR 0009, ADR 0014, PROTOCOL § Sync): the composition root that wires the
 * session layer (core/src/session: seal/open, intros, epochs) to one relay connection
 * (connection.ts) through the scheduling parts — capability claims, push queue, subscriptions,
 * inbound applier, outgoing sealer — and reports its state.
 */
export async function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  checkSyncOptions(options);
  const { kith: engine, identity, crypto, transport, clock, random, storage } = options;
  const me = identity.userId;
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  const stats: SyncStats = { pushed: 0, acked: 0, received: 0, envelopes: 0, rejected: 0, parked: 0, intros: 0, reconnects: 0, refused: 0, conflicts: 0, deferred: 0, equivocations: 0, undeliverable: 0 };
  const errors = createInternalErrors(stats, options.logger ?? console);
  const parts = await loadSessionParts({
    crypto, identity, engine, storage, vault: options.vault, clock, rotation: options.rotation,
    queue: (push) => pushes.add(push),
    capabilities: createCapabilityRelay(transport.fetch, identity, () => conn.token()),
  });
  const { keys, counters, memberships, claims, session, handleIntro, readRotation } = parts;
  const { cursors, follows, chunks } = parts.state;

  const undeliverable = createUndeliverableChanges(stats, engine);
  const state = createSyncState(() => ({
    connected: conn.connected,
    authed: conn.authed,
    busy: () => pushes.inFlight > 0 || subs.pending() || work.pending > 0 || pushes.size > 0,
    hasGaps: () => engine.gaps().length > 0,
  }));
  const work = createWorkQueue({ onFailure: (e) => errors.onFailure(e), onSettled: () => state.refresh() });
  const conn = createConnection({
    transport, identity, clock, random, backoff, stats, work,
    onFrame: (f) => routeServerFrame(f, {
      authed: () => work.enqueue(() => afterAuth({ token: conn.token, fetch: transport.fetch, claims, subs, pushes, readRotation })),
      ack: (id) => {
        pushes.onAck(id);
        // SYNC-24: a membership op acknowledged may let this device rotate the group's read token.
        work.enqueue(() => readRotation.check());
      },
      entries: (doc, entries) => inbound.onEntries(doc, entries),
      ok: (id) => void subs.onOk(id),
      pushError: (id, code) => pushes.onError(id, code),
      subError: (id, code) => void subs.onError(id, code),
      presence: (f) => signals.onPresence(f.from, f.state),
      signal: (f) => signals.onSignal(f.from, f.kind, f.body),
    }),
    onLost: () => {
      pushes.reset();
      subs.reset();
    },
    onChange: (connecting) => (connecting === true ? state.connecting() : state.refresh()),
  });
  const rt: ClientRuntime = { send: conn.send, nextId: conn.nextId, authed: conn.authed, token: conn.token, enqueue: work.enqueue };

  const snapshots = createSnapshotPusher({ me, engine, cursors, parked: () => inbound.parked });
  const pushes = createPushQueue({
    rt, queued: parts.state.queued, claims, engine, storage, fetch: transport.fetch, keys, clock, retryMs: backoff.baseMs, stats,
    supersedes: (key) => snapshots.supersedes(key),
    // BATCH-9: the doc's push left the queue: what waited behind it leaves as one range.
    onDrained: () => work.enqueue(() => sealer.seal()),
    onClaimsRun: () => subs.refresh(false),
  });
  const lookups = createDirectoryLookups({ crypto, fetch: transport.fetch, keys, storage, engine, session, me });
  const sealer = createOutgoingSealer(session, (key) => pushes.has(key), (change) => undeliverable.report(change), (doc) => pushes.busy(doc), options.maxBatch);
  const subs = createSubscriptions({
    rt,
    keys,
    cursors,
    wanted: () => wantedDocs({ me, inbox: session.inbox, engine, follows, chunks, memberships, keys, known: [] }),
    retryLater: (fn) => void clock.setTimer(backoff.baseMs, fn),
    claimPending: (scope) => claims.has(scope),
  });
  const inbound = createInboundApplier({
    rt, identity, session, handleIntro, engine, storage, vet: options.vet, stats, counters, cursors, follows, chunks,
    async onApplied() {
      await session.replan();
      await sealer.seal();
      await lookups.resolveUnknown();
      await readRotation.check();
    },
    afterBatch(applied) {
      subs.refresh(applied);
      pushes.pushAll();
      if (options.compaction !== false && snapshots.pending > 0) work.enqueue(() => snapshots.run());
    },
    rewind: (doc) => subs.resubscribe(doc),
  });
  const signals = createSignals({ crypto, identity, keys, send: conn.send, nextId: conn.nextId });
  const attachments = createAttachmentTransfer({ crypto, keyring: keys.keyring, fetch: transport.fetch, token: conn.token });
  await claimOwnScopes(me, session, keys, claims, storage);

  engine.onOutgoing((change) => { snapshots.noteOutgoing(change); work.enqueue(() => sealer.seal(change)); });
  engine.onSubscriptionsChanged?.(() => work.enqueue(() => Promise.resolve(subs.refresh(false))));
  work.enqueue(() => sealer.resume(engine.outbox()).then(() => readRotation.check()));

  return {
    get state() { return state.get(); },
    stats,
    start: () => conn.start(),
    async stop() {
      pushes.cancelRetry();
      conn.stop();
      await work.idle();
      state.refresh();
    },
    onState: (listener) => state.listen(listener),
    onError: (listener) => errors.listen(listener),
    lookup: (username) => lookups.lookup(username),
    keyChanges: () => lookups.keyChanges(),
    acceptKeyChange: (username) => lookups.acceptKeyChange(username),
    quiet: () => work.pending === 0 && (!conn.connected() || (pushes.inFlight === 0 && pushes.size === 0 && !subs.pending())),
    idle: () => work.idle().then(() => engine.idle()),
    session: () => conn.token(),
    setPresence: (presence, to) => void rt.send({ v: 1, t: 'presence', id: rt.nextId(), state: presence, to: [...to] }),
    signal: (to, kind, payload, device) => (conn.authed() ? signals.send(to, kind, payload, device) : fail('offline', 'not connected')),
    onSignal: (l) => signals.listen(l),
    uploadAttachment: (conversation, input) => attachments.upload(conversation, input),
    downloadAttachment: (conversation, attachment) => attachments.download(conversation, attachment),
    describe: () => ({ subs: subs.describe(), cursors: Object.fromEntries(cursors), parked: inbound.parked, held: sealer.held, queued: pushes.size, epochs: session.groupKeys.epochs() }),
    onPresence: (l) => signals.listenPresence(l),
    onUndeliverable: (listener) => undeliverable.listen(listener),
  };
}
