import type { CallId, ConversationId, MessageId, UserId } from '../ids.js';
import type { Kith } from '../kith.js';
import type { Message } from '../model/message.js';
import type { ProjectionDb } from './projection-schema.js';
import type { RowBatch } from './row-batch.js';
import { batchSize, createRowBatch, writeBatch } from './row-batch.js';
import { META_STALE, META_VIEWER } from './projection-schema.js';
import {
  readCall,
  readContact,
  readConversation,
  readMessage,
  readMessageById,
  readReceipt,
  readUnansweredCalls,
  readUser,
  readAllMessages,
} from './engine-reader.js';

export interface ProjectionOptions {
  readonly kith: Kith;
  readonly db: ProjectionDb;
}

export interface ProjectionStats {
  /** Flushes that wrote a batch of incremental changes. */
  readonly flushes: number;
  /** Rows put by incremental flushes (not counting rebuilds). */
  readonly rowsWritten: number;
  readonly rebuilds: number;
  /** Engine reads or writes that failed; the entity is skipped (a rebuild repairs it). */
  readonly errors: number;
  /** Wall time spent in incremental flushes (reading the engine + writing), milliseconds. */
  readonly busyMs: number;
}

export interface Projection {
  readonly db: ProjectionDb;
  /** Whose view this is: every query's viewer. */
  readonly viewer: UserId;
  /** Recompute every row from the engine's documents (one transaction). */
  rebuild(): Promise<void>;
  /** Resolves when every event received so far is written. */
  idle(): Promise<void>;
  stats(): ProjectionStats;
  /** Stop following the engine (the database stays open; close it yourself). */
  close(): void;
}

/** What the events since the last flush touched; one flush reads each entity once. */
interface Pending {
  conversations: Set<ConversationId>;
  messages: Map<MessageId, Message>;
  /** Gone entirely (`messageRetracted`): a removal's cutoff, learned late, excludes them. */
  retracted: Map<MessageId, ConversationId>;
  /** Membership changed: members, roles, receipts, and the status of calls nobody answered. */
  membership: Set<ConversationId>;
  reread: Map<MessageId, ConversationId>;
  receipts: Map<string, [ConversationId, UserId]>;
  calls: Map<CallId, ConversationId>;
  contacts: Set<UserId>;
  profiles: Set<UserId>;
}
const emptyPending = (): Pending => ({
  conversations: new Set(),
  messages: new Map(),
  retracted: new Map(),
  membership: new Set(),
  reread: new Map(),
  receipts: new Map(),
  calls: new Map(),
  contacts: new Set(),
  profiles: new Set(),
});

/**
 * The live relational projection (ADR 0008): subscribes to the engine's events, collects what
 * they touch, and once per tick reads exactly those entities from the engine and writes their
 * rows in one transaction. Rebuilds from scratch when the database is new, belongs to another
 * account, or was marked stale by a schema upgrade.
 */
export async function createProjection(options: ProjectionOptions): Promise<Projection> {
  const { kith, db } = options;
  const viewer = kith.user;
  let pending = emptyPending();
  let scheduled = false;
  let chain: Promise<void> = Promise.resolve();
  const stats = { flushes: 0, rowsWritten: 0, rebuilds: 0, errors: 0, busyMs: 0 };

  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch {
      stats.errors++;
    }
  };

  const gather = async (p: Pending, b: RowBatch): Promise<void> => {
    // A message only needs its conversation's row when the projection has none yet (the first
    // message of a direct chat the peer opened); membership and state changes have their events.
    const convs = [...new Set([...p.messages.values()].map((m) => m.conversation))].filter((c) => !p.conversations.has(c));
    const known = convs.length === 0 ? [] : await db.conversations.bulkGet(convs);
    convs.forEach((c, i) => known[i] === undefined && p.conversations.add(c));
    for (const id of p.conversations) attempt(() => readConversation(b, kith, id));
    for (const id of p.membership) attempt(() => readUnansweredCalls(b, kith, id));
    for (const m of p.messages.values()) attempt(() => readMessage(b, kith, m));
    for (const [id, conv] of p.retracted) b.retracted.set(id, conv);
    for (const [id, conv] of p.reread) {
      try {
        await readMessageById(b, kith, conv, id);
      } catch {
        stats.errors++;
      }
    }
    for (const [conv, user] of p.receipts.values()) attempt(() => readReceipt(b, kith, conv, user));
    for (const [call, conv] of p.calls) attempt(() => readCall(b, kith, conv, call));
    for (const user of p.contacts) attempt(() => readContact(b, kith, user));
    for (const user of p.profiles) attempt(() => readUser(b, kith, user));
  };

  const flush = async (): Promise<void> => {
    const started = performance.now();
    try {
      await flushPending();
    } finally {
      stats.busyMs += performance.now() - started;
    }
  };
  const flushPending = async (): Promise<void> => {
    scheduled = false;
    const p = pending;
    pending = emptyPending();
    const b = createRowBatch();
    await gather(p, b);
    const rows = batchSize(b);
    if (rows === 0 && b.summaries.size === 0) return;
    try {
      await writeBatch(db, viewer, b);
      stats.flushes++;
      stats.rowsWritten += rows;
    } catch {
      stats.errors++;
    }
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    // Everything emitted in this tick (one engine transaction's events) lands in one flush.
    chain = chain
      .then(() => new Promise<void>((resolve) => queueMicrotask(resolve)))
      .then(flush)
      .catch(() => void stats.errors++);
  };
  const touch = (fn: (p: Pending) => void): void => {
    fn(pending);
    schedule();
  };

  const rebuild = async (): Promise<void> => {
    const b = createRowBatch();
    attempt(() => readUser(b, kith, viewer));
    for (const c of kith.conversations.list()) {
      attempt(() => readConversation(b, kith, c.id));
      try {
        await readAllMessages(b, kith, c.id);
      } catch {
        stats.errors++;
      }
      attempt(() => readCall(b, kith, c.id, null));
    }
    for (const c of kith.contacts.list()) attempt(() => readContact(b, kith, c.user));
    await writeBatch(db, viewer, b, true);
    await db.meta.bulkPut([
      { key: META_VIEWER, value: viewer },
      { key: META_STALE, value: false },
    ]);
    stats.rebuilds++;
  };
  const queueRebuild = (): Promise<void> => {
    // A rebuild reads the latest state, so it supersedes what is pending.
    pending = emptyPending();
    const run = chain.then(rebuild);
    chain = run.catch(() => void stats.errors++);
    return run;
  };

  // A retraction cancels what the same tick said of the message; a later event brings it back.
  const shown = (p: Pending, m: Message): void => void (p.retracted.delete(m.id), p.messages.set(m.id, m));
  const off = [
    kith.on('message', (e) => touch((p) => shown(p, e.message))),
    kith.on('messageEdited', (e) => touch((p) => shown(p, e.message))),
    kith.on('messageDeleted', (e) => touch((p) => (p.messages.delete(e.id), p.retracted.delete(e.id), p.reread.set(e.id, e.conversation)))),
    kith.on('messageRetracted', (e) =>
      touch((p) => (p.messages.delete(e.id), p.reread.delete(e.id), p.retracted.set(e.id, e.conversation))),
    ),
    kith.on('reaction', (e) => touch((p) => p.reread.set(e.messageId, e.conversation))),
    kith.on('receipt', (e) => touch((p) => p.receipts.set(`${e.conversation}|${e.user}`, [e.conversation, e.user]))),
    // Messages a removal retracts come as messageRetracted: no re-read of the history here.
    kith.on('membership', (e) => touch((p) => (p.conversations.add(e.conversation), p.membership.add(e.conversation)))),
    kith.on('conversation', (e) => touch((p) => p.conversations.add(e.conversation))),
    kith.on('call', (e) => touch((p) => p.calls.set(e.call, e.conversation))),
    kith.on('contact', (e) => touch((p) => p.contacts.add(e.user))),
    kith.on('profile', (e) => touch((p) => p.profiles.add(e.user))),
  ];

  const [stale, owner] = await Promise.all([db.meta.get(META_STALE), db.meta.get(META_VIEWER)]);
  if (stale?.value !== false || owner?.value !== viewer) await queueRebuild();

  return {
    db,
    viewer,
    rebuild: queueRebuild,
    idle: async () => {
      // A flush can be scheduled while waiting (events from the engine's own writes): loop.
      for (;;) {
        const current = chain;
        await current;
        if (current === chain && !scheduled) return;
      }
    },
    stats: () => ({ ...stats }),
    close: () => {
      for (const f of off) f();
    },
  };
}
