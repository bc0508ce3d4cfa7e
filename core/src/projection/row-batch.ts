import type {
  AttachmentsRow,
  ContactRequestsRow,
  ContactsRow,
  ConversationStatesRow,
  ConversationsRow,
  DeviceReceiptsRow,
  MessagesRow,
  ParticipantsRow,
  ReactionsRow,
  ReceiptsRow,
  UsersRow,
} from './projection-rows.js';
import type { CallRows } from './row-mappers.js';
import type { ProjectionDb } from './projection-schema.js';
import { PROJECTION_TABLES } from './projection-schema.js';
import { Dexie } from './dexie.js';
import type { IndexableType, Table } from './dexie.js';
import { summarizeConversation, SUMMARY_DEFAULTS } from './chat-summary.js';
import { indexMessages, removeSearchTokens } from './search-index.js';

/** A conversation row without the summary fields `summarizeConversation` computes. */
export type ConversationBase = Omit<ConversationsRow, keyof typeof SUMMARY_DEFAULTS>;

/**
 * The rows one flush (or a rebuild) writes. Collections keyed by parent are replaced whole
 * (a message's attachments and reactions, a conversation's members, a call's participants),
 * so rows the engine no longer has disappear. Gathered from the engine first, then written in
 * one Dexie transaction (Dexie transactions cannot wait on anything but Dexie).
 */
export interface RowBatch {
  readonly users: Map<string, UsersRow>;
  /** contact user → the row, or null to delete it. */
  readonly contacts: Map<string, ContactsRow | null>;
  /** from|to → the stance, or null to delete it. */
  readonly contactRequests: Map<string, ContactRequestsRow | null>;
  readonly conversations: Map<string, ConversationBase>;
  readonly states: Map<string, ConversationStatesRow>;
  readonly participants: Map<string, ParticipantsRow[]>;
  readonly messages: Map<string, MessagesRow>;
  readonly attachments: Map<string, AttachmentsRow[]>;
  readonly reactions: Map<string, ReactionsRow[]>;
  /** conversation|user → the row, or null to delete it. */
  readonly receipts: Map<string, ReceiptsRow | null>;
  /** conversation|user → that member's device rows (replacing what is stored for them). */
  readonly deviceReceipts: Map<string, DeviceReceiptsRow[]>;
  /** call id → its rows, or null to delete them (a call retracted with its caller's changes). */
  readonly calls: Map<string, CallRows | null>;
  /** Conversations whose chat-list summary must be recomputed after the writes. */
  readonly summaries: Set<string>;
  /** message id → conversation: messages the engine retracted (gone entirely, with their rows). */
  readonly retracted: Map<string, string>;
}

export function createRowBatch(): RowBatch {
  return {
    users: new Map(),
    contacts: new Map(),
    contactRequests: new Map(),
    conversations: new Map(),
    states: new Map(),
    participants: new Map(),
    messages: new Map(),
    attachments: new Map(),
    reactions: new Map(),
    receipts: new Map(),
    deviceReceipts: new Map(),
    calls: new Map(),
    summaries: new Set(),
    retracted: new Map(),
  };
}

/** How many rows a batch puts or deletes by key (for stats; a retracted message counts once). */
export function batchSize(b: RowBatch): number {
  let n = b.users.size + b.contacts.size + b.contactRequests.size + b.conversations.size + b.states.size + b.messages.size + b.receipts.size + b.retracted.size;
  for (const rows of b.deviceReceipts.values()) n += rows.length;
  for (const rows of b.participants.values()) n += rows.length;
  for (const rows of b.attachments.values()) n += rows.length;
  for (const rows of b.reactions.values()) n += rows.length;
  for (const c of b.calls.values()) n += c === null ? 1 : 1 + c.participants.length + c.shares.length;
  // Summaries rewrite their conversation row.
  for (const id of b.summaries) if (!b.conversations.has(id)) n++;
  return n;
}

const CHUNK = 2000;
async function putAll<T, K>(table: Table<T, K>, rows: readonly T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await table.bulkPut(rows.slice(i, i + CHUNK));
}

async function removeMessages(db: ProjectionDb, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.messages.bulkDelete(ids);
  await db.attachments.where('messageId').anyOf(ids).delete();
  await db.reactions.where('messageId').anyOf(ids).delete();
  await removeSearchTokens(db, ids);
}

/**
 * "Clear chat" on this device: the engine never shows messages up to `clearedUpTo` again, so the
 * projection drops them (index messages[conversationId+id], the cleared range only).
 */
async function removeCleared(db: ProjectionDb, viewer: string, conv: string, b: RowBatch): Promise<void> {
  const state = b.states.get(conv) ?? (await db.conversationStates.get([viewer, conv]));
  const cleared = state?.clearedUpTo ?? null;
  if (cleared === null) return;
  for (const [id, m] of b.messages) if (m.conversationId === conv && id <= cleared) b.messages.delete(id);
  const ids = await db.messages.where('[conversationId+id]').between([conv, Dexie.minKey], [conv, cleared], true, true).primaryKeys();
  await removeMessages(db, ids);
}

/** Writes a batch in one read-write transaction; `clear` empties every table first (rebuild). */
export async function writeBatch(db: ProjectionDb, viewer: string, b: RowBatch, clear = false): Promise<void> {
  await db.transaction('rw', [...PROJECTION_TABLES], async () => {
    if (clear) for (const t of PROJECTION_TABLES) if (t !== 'meta') await db.table(t).clear();
    await putAll(db.users, [...b.users.values()]);
    await putAll(db.contacts, [...b.contacts.values()].filter((r): r is ContactsRow => r !== null));
    const noLonger = [...b.contacts].filter(([, r]) => r === null).map(([user]): [string, string] => [viewer, user]);
    if (!clear && noLonger.length > 0) await db.contacts.bulkDelete(noLonger);
    await putAll(db.contactRequests, [...b.contactRequests.values()].filter((r): r is ContactRequestsRow => r !== null));
    const noStance = [...b.contactRequests].filter(([, r]) => r === null).map(([k]) => k.split('|') as [string, string]);
    if (!clear && noStance.length > 0) await db.contactRequests.bulkDelete(noStance);
    await putAll(db.conversationStates, [...b.states.values()]);
    // Collections hanging off a parent are replaced: one delete by parent keys, one bulk put.
    // (Few, large requests: a long chain of awaits with no IndexedDB request pending lets
    // IndexedDB commit the transaction early.)
    const replace = async <T, K>(table: Table<T, K>, index: string, parents: IndexableType[], rows: T[]): Promise<void> => {
      if (!clear && parents.length > 0) await table.where(index).anyOf(parents).delete();
      if (rows.length > 0) await putAll(table, rows);
    };
    await replace(db.participants, 'conversationId', [...b.participants.keys()], [...b.participants.values()].flat());
    // The rows these messages replace or retract, for the unread deltas below.
    for (const id of b.retracted.keys()) b.messages.delete(id);
    const previous = new Map<string, MessagesRow>();
    const affected = [...b.messages.keys(), ...b.retracted.keys()];
    if (!clear && affected.length > 0) {
      for (const row of await db.messages.bulkGet(affected)) if (row !== undefined) previous.set(row.id, row);
    }
    // Retracted by the engine (a removal's cutoff learned late): the message and what hangs off it.
    if (!clear) await removeMessages(db, [...b.retracted.keys()]);
    const touched = new Set([...b.states.keys(), ...b.summaries]);
    for (const conv of touched) await removeCleared(db, viewer, conv, b);
    if (b.messages.size > 0) await putAll(db.messages, [...b.messages.values()]);
    await indexMessages(db, b.messages.values(), previous, clear);
    // Attachments and reactions travel with their message (dropped above if it was cleared).
    const kept = <T>(m: Map<string, T[]>): [string[], T[]] => {
      const keys = [...m.keys()].filter((k) => b.messages.has(k));
      return [keys, keys.flatMap((k) => m.get(k) ?? [])];
    };
    await replace(db.attachments, 'messageId', ...kept(b.attachments));
    await replace(db.reactions, 'messageId', ...kept(b.reactions));
    const receipts = [...b.receipts.values()].filter((r): r is ReceiptsRow => r !== null);
    if (receipts.length > 0) await db.receipts.bulkPut(receipts);
    const gone = [...b.receipts].filter(([, r]) => r === null).map(([k]) => k.split('|') as [string, string]);
    if (!clear && gone.length > 0) await db.receipts.bulkDelete(gone);
    const members = [...b.deviceReceipts.keys()].map((k) => k.split('|'));
    await replace(db.deviceReceipts, '[conversationId+userId]', members, [...b.deviceReceipts.values()].flat());
    const calls = [...b.calls.values()].filter((c): c is CallRows => c !== null);
    const goneCalls = [...b.calls].filter(([, c]) => c === null).map(([id]) => id);
    if (!clear && goneCalls.length > 0) await db.calls.bulkDelete(goneCalls);
    if (b.calls.size > 0) {
      if (calls.length > 0) await db.calls.bulkPut(calls.map((c) => c.call));
      const ids = [...b.calls.keys()];
      await replace(db.callParticipants, 'callId', ids, calls.flatMap((c) => c.participants));
      await replace(db.screenShares, 'callId', ids, calls.flatMap((c) => c.shares));
    }
    // Unread moves by deltas unless messages vanished (summarizeConversation also recounts when
    // the viewer's floor — read watermark or cleared — moved).
    const changes = new Map<string, Array<readonly [MessagesRow | undefined, MessagesRow | undefined]>>();
    const change = (conv: string, before: MessagesRow | undefined, after: MessagesRow | undefined): void => {
      const list = changes.get(conv) ?? [];
      list.push([before, after]);
      changes.set(conv, list);
    };
    for (const m of b.messages.values()) change(m.conversationId, previous.get(m.id), m);
    for (const [id, conv] of b.retracted) change(conv, previous.get(id), undefined);
    const summaries = new Set([...b.summaries, ...b.conversations.keys(), ...b.retracted.values()]);
    for (const id of summaries) {
      const stored = await db.conversations.get(id);
      const base = b.conversations.get(id) ?? stored;
      if (base === undefined) continue;
      const delta =
        clear || stored === undefined
          ? null
          : { previousUnread: stored.unread, previousFloor: stored.unreadFloor, changes: changes.get(id) ?? [] };
      const summary = await summarizeConversation(db, viewer, { ...SUMMARY_DEFAULTS, ...base }, delta);
      await db.conversations.put({ ...SUMMARY_DEFAULTS, ...base, ...summary });
    }
  });
}
