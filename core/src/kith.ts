import type { Clock } from './ports/clock.js';
import type { CrdtBackend, CrdtBackendName } from './ports/crdt.js';
import type { Random } from './ports/random.js';
import type { Storage, StorageWrite } from './ports/storage.js';
import type { Result } from './errors.js';
import type { ConversationId, DeviceId, DocId, UserId } from './ids.js';
import type { MembershipLogReader } from './ports/engine-link.js';
import type { AckedChange, DocChange } from './protocol/doc-change.js';
import type { EngineStats } from './engine/core.js';
import type { KithEventName, KithListener } from './engine/events.js';
import type { ReceiveStatus } from './engine/inbound.js';
import type { CallsApi } from './engine/api/calls-api.js';
import type { DocsApi } from './docs/docs-api.js';
import type { ContactsApi } from './engine/api/contacts-api.js';
import type { ConversationsApi } from './engine/api/conversations-api.js';
import type { GroupsApi } from './engine/api/groups-api.js';
import type { MessagesApi } from './engine/api/messages-api.js';
import type { ProfileApi } from './engine/api/profile-api.js';
import type { ReceiptsApi } from './engine/api/receipts-api.js';
import type { Core } from './engine/core.js';
import { fail, KithError, ok } from './errors.js';
import { isUuid, parseDeviceId, parseUserId } from './ids.js';
import { createHlc } from './model/hlc.js';
import { createDocRegistry } from './engine/doc-registry.js';
import { createEventHub } from './engine/events.js';
import { createEventMapper } from './engine/event-mapper.js';
import { createFeedReader, type FeedReader } from './engine/feed-reader.js';
import { createInbound } from './engine/inbound.js';
import { createLoader } from './engine/loader.js';
import { createPersister } from './engine/persister.js';
import { hlcMarkOf } from './engine/hlc-mark.js';
import { createSerialQueue } from './engine/serial-queue.js';
import { createWriter } from './engine/writer.js';
import { createCallsApi } from './engine/api/calls-api.js';
import { createDocsApi } from './docs/docs-api.js';
import { sharedDocsOf } from './docs/shared-doc-store.js';
import { createContactsApi } from './engine/api/contacts-api.js';
import { createConversationsApi } from './engine/api/conversations-api.js';
import { createGroupsApi } from './engine/api/groups-api.js';
import { createMessagesApi } from './engine/api/messages-api.js';
import { createProfileApi } from './engine/api/profile-api.js';
import { followCards } from './engine/api/card-publisher.js';
import { createReceiptsApi } from './engine/api/receipts-api.js';
import { audienceOf, subscriptionsOf } from './engine/routing.js';
import { quarantineOf, type QuarantinedChange } from './engine/quarantine.js';
import { parseDocRef } from './model/doc-ids.js';
import { feedIndexOf } from './engine/feed-index.js';
import { createChunkEviction, DEFAULT_MAX_LOADED_CHUNKS } from './engine/chunk-eviction.js';

export interface KithOptions {
  readonly user: UserId;
  readonly username: string;
  readonly device: DeviceId;
  readonly backend: CrdtBackend;
  readonly clock: Clock;
  readonly random: Random;
  /** Persist and restore through this port; without it the engine lives in memory only. */
  readonly storage?: Storage;
  /** Messages per feed chunk (default 1,000). */
  readonly chunkMessages?: number;
  /**
   * Feed chunks kept in memory besides each author's newest one (default 8): older ones leave
   * memory once storage holds them and load again on demand (ADR 0019). Without storage every
   * chunk stays.
   */
  readonly maxLoadedChunks?: number;
}

/** One engine per (user, device). See docs/api.md. */
export interface Kith {
  readonly user: UserId;
  readonly device: DeviceId;
  /** The CRDT backend this engine runs on (a Yjs engine's sync needs the decode sandbox, H4). */
  readonly backend: CrdtBackendName;
  readonly profile: ProfileApi;
  readonly contacts: ContactsApi;
  readonly conversations: ConversationsApi;
  readonly groups: GroupsApi;
  readonly messages: MessagesApi;
  readonly receipts: ReceiptsApi;
  readonly calls: CallsApi;
  /** App-defined shared documents of a conversation (ADR 0025). */
  readonly docs: DocsApi;
  on<K extends KithEventName>(name: K, listener: KithListener<K>): () => void;
  /** Every local change, after it is durable in storage. */
  onOutgoing(listener: (change: DocChange) => void): () => void;
  /** Apply a change from a peer (already authenticated by the crypto layer). Never throws. */
  receive(change: DocChange): Result<ReceiveStatus>;
  /**
   * Record a change from a peer (authenticated like `receive`) that could not be read — the decode
   * sandbox refused it (SBX-7): never applied, counted, attributed, no longer a gap; emits
   * `quarantined`. `duplicate` when its counter was seen already. Never throws.
   */
  quarantine(change: DocChange, reason: string): Result<'quarantined' | 'duplicate'>;
  /** Changes quarantined on this device (SBX-7), per document and author. */
  quarantined(): QuarantinedChange[];
  /**
   * A group's membership log as this engine folds it (ADR 0004), its own local ops included
   * (sealed or not); undefined when no op of the group is known. Read-only: the sync client
   * reads the one fold through it (ADR 0014 addendum).
   */
  membershipLog(conversation: ConversationId): MembershipLogReader | undefined;
  /** Groups this engine holds a membership log of (created or not yet). */
  membershipGroups(): ConversationId[];
  /** Who may read a document (for routing). */
  audience(doc: DocId): UserId[];
  /** Document-id prefixes this device follows (its conversations, contacts' profiles, its account). */
  subscriptions(): string[];
  /** Called when `subscriptions()` gained a shared document (opened or first received). */
  onSubscriptionsChanged(listener: () => void): () => void;
  /** Local changes not yet acknowledged by the relay, oldest first. */
  outbox(): DocChange[];
  /**
   * ADR 0022: makes my author snapshot of a closed feed chunk of mine (kind `snapshot`, SNAP-2):
   * it replaces the chunk's records locally and is emitted to `onOutgoing` like any change. Null
   * when the chunk is not eligible (not mine, not fully applied, a change still unacknowledged,
   * already compacted).
   */
  compact(doc: DocId): Promise<DocChange | null>;
  /**
   * Takes a local change out of the outbox (the relay stored it). `alongside` are committed in
   * the SAME storage commit (the sync client's push record: one atomic ack, ADR 0014).
   */
  acknowledge(change: AckedChange | readonly AckedChange[], alongside?: readonly StorageWrite[]): Promise<void>;
  /**
   * Commits device-local writes (the sync client's cursors and counters, ADR 0014 addendum) in
   * the engine's storage order: after every change `receive` has taken so far, so a cursor is
   * never durable ahead of the changes it covers. Resolves when durable; rejects if it fails.
   */
  commitAfterReceived(writes: readonly StorageWrite[]): Promise<void>;
  /** Counters missing below the highest seen, per document and device. */
  gaps(): Array<{ doc: DocId; device: string; missing: number[] }>;
  /** `held`: feed changes the policy holds back; `loadedChunks`: feed chunks in memory now. */
  stats(): Readonly<EngineStats> & { readonly held: number; readonly loadedChunks: number };
  /** Wait until queued local operations and storage writes are done. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function createKith(options: KithOptions): Promise<Kith> {
  const user = parseUserId(options.user);
  const device = parseDeviceId(options.device);
  const chunkMessages = options.chunkMessages ?? 1000;
  if (!Number.isInteger(chunkMessages) || chunkMessages < 1) throw new KithError('invalid_argument', 'chunkMessages must be a positive integer');
  const maxLoadedChunks = options.maxLoadedChunks ?? DEFAULT_MAX_LOADED_CHUNKS;
  if (!Number.isInteger(maxLoadedChunks) || maxLoadedChunks < 0) throw new KithError('invalid_argument', 'maxLoadedChunks must be a non-negative integer');
  const stats: EngineStats = { invalidEntries: 0, rejected: 0, duplicates: 0, listenerErrors: 0, quarantined: 0 };
  const events = createEventHub(() => void stats.listenerErrors++);
  let reevaluate: (c: Parameters<Core['groups']['get']>[0]) => void = () => undefined;
  /** Read-only faces of the membership logs (`membershipLog`: the sync client must not write to them). */
  const readers = new WeakMap<object, MembershipLogReader>();
  const core: Core = {
    me: user,
    device,
    username: options.username,
    backend: options.backend,
    clock: options.clock,
    random: options.random,
    hlc: createHlc(options.clock, options.random, user),
    chunkMessages,
    storage: options.storage,
    docs: createDocRegistry(options.backend, options.random, {
      onEvent(doc, event) {
        for (const { collection, key } of event.keys) index.touched(doc, collection, key);
        onCrdtEvent(doc, event);
      },
      onReplaced: (doc) => index.replaced(doc),
      onFeedLoaded(doc) {
        index.replaced(doc); // a new chunk gets its (empty) entry; a loaded one corrects its entry
        eviction.check();
      },
    }),
    groups: new Map(),
    directs: new Map(),
    events,
    persister: createPersister(options.storage, () => [...index.takeWrites(), ...hlcMarkOf(core).takeWrites()]),
    queue: createSerialQueue(),
    stats,
    outgoing: new Set(),
    restoring: false,
  };
  const index = feedIndexOf(core);
  const eviction = createChunkEviction(core, index, maxLoadedChunks);
  const onCrdtEvent = createEventMapper(core, () => reader, (c) => reevaluate(c), (id) => loader.ensure(id));
  const inbound = createInbound(core);
  reevaluate = (c) => inbound.reevaluate(c);
  const loader = createLoader(core, inbound);
  const reader: FeedReader = createFeedReader(core, loader);
  const writer = createWriter(core, loader, inbound);
  const ctx = { core, writer, reader, loader, inbound };

  await loader.open();
  const contacts = createContactsApi(ctx);
  const profile = createProfileApi(ctx, (u) => contacts.get(u).status === 'accepted');
  if (profile.get().username !== options.username) await profile.update({ username: options.username });
  followCards(ctx, () => profile.get()); // DIR-2: my card follows my memberships (ADR 0027)

  return {
    user,
    device,
    backend: options.backend.name,
    profile,
    contacts,
    conversations: createConversationsApi(ctx),
    groups: createGroupsApi(ctx, (u) => profile.get(u)),
    messages: createMessagesApi(ctx),
    receipts: createReceiptsApi(ctx),
    calls: createCallsApi(ctx),
    docs: createDocsApi(ctx),
    on: (name, listener) => events.on(name, listener),
    onOutgoing(listener) {
      core.outgoing.add(listener);
      return () => void core.outgoing.delete(listener);
    },
    receive: (change) => inbound.receive(change),
    quarantine(change, reason) {
      const ref = parseDocRef(change.doc);
      const owner = ref === null ? null : ref.kind === 'feed' ? ref.author : ref.kind === 'profile' ? ref.user : ref.kind === 'contact' ? ref.from : null;
      if (owner !== change.author || change.author === user || !isUuid(change.device) || !Number.isSafeInteger(change.counter) || change.counter < 1) {
        return fail('unauthorized', 'only another writer\'s change of its own document can be quarantined');
      }
      return ok(quarantineOf(core).record(change, String(reason).slice(0, 64)) ? 'quarantined' : 'duplicate');
    },
    quarantined: () => quarantineOf(core).list(),
    membershipLog(conversation) {
      const log = core.groups.get(conversation)?.log;
      if (log === undefined) return undefined;
      let reader = readers.get(log);
      if (reader === undefined) readers.set(log, (reader = { state: () => log.state(), history: () => log.history(), allOps: () => log.allOps() }));
      return reader;
    },
    membershipGroups: () => [...core.groups.keys()],
    audience: (doc) => audienceOf(core, doc),
    subscriptions: () => subscriptionsOf(core),
    onSubscriptionsChanged: (listener) => sharedDocsOf(core).onFollow(listener),
    outbox: () => core.persister.outbox(),
    compact: (doc) => core.queue.run(() => writer.snapshot(doc)),
    acknowledge: (change, alongside) => core.persister.acknowledge(change, alongside),
    commitAfterReceived: (writes) => core.persister.commitAfter(writes),
    gaps() {
      const out: Array<{ doc: DocId; device: string; missing: number[] }> = [];
      for (const doc of core.docs.loaded()) for (const g of doc.seen.gaps()) out.push({ doc: doc.id, ...g });
      return out;
    },
    stats: () => ({ ...stats, held: inbound.heldCount(), loadedChunks: core.docs.loadedFeedCount() }),
    idle: async () => {
      await core.queue.idle();
      await loader.idle();
      await core.persister.idle();
      await eviction.idle();
    },
    async close() {
      await core.queue.idle();
      await eviction.idle();
      await core.persister.idle();
      core.outgoing.clear();
      await options.storage?.close();
    },
  };
}
