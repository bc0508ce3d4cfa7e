import type { DexieOptions, Table, Transaction } from './dexie.js';
import type {
  AttachmentsRow,
  CallParticipantsRow,
  CallsRow,
  ContactRequestsRow,
  ContactsRow,
  ConversationStatesRow,
  DeviceReceiptsRow,
  ConversationsRow,
  MessagesRow,
  MetaRow,
  ParticipantsRow,
  ReactionsRow,
  ReceiptsRow,
  ScreenSharesRow,
  SearchIndexRow,
  UsersRow,
} from './projection-rows.js';
import { Dexie } from './dexie.js';
import { KithError } from '../errors.js';

export type ProjectionDb = Dexie & {
  users: Table<UsersRow, string>;
  contacts: Table<ContactsRow, [string, string]>;
  conversations: Table<ConversationsRow, string>;
  participants: Table<ParticipantsRow, [string, string, number]>;
  conversationStates: Table<ConversationStatesRow, [string, string]>;
  messages: Table<MessagesRow, string>;
  attachments: Table<AttachmentsRow, string>;
  reactions: Table<ReactionsRow, [string, string]>;
  receipts: Table<ReceiptsRow, [string, string]>;
  deviceReceipts: Table<DeviceReceiptsRow, [string, string, string]>;
  contactRequests: Table<ContactRequestsRow, [string, string]>;
  calls: Table<CallsRow, string>;
  callParticipants: Table<CallParticipantsRow, [string, string]>;
  screenShares: Table<ScreenSharesRow, string>;
  searchIndex: Table<SearchIndexRow, string>;
  meta: Table<MetaRow, string>;
};

/** Every table of the projection, for transactions that touch them all. */
export const PROJECTION_TABLES = [
  'users', 'contacts', 'conversations', 'participants', 'conversationStates', 'messages', 'attachments',
  'reactions', 'receipts', 'deviceReceipts', 'contactRequests', 'calls', 'callParticipants', 'screenShares', 'searchIndex', 'meta',
] as const;

export interface ProjectionSchemaVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, string | null>>;
  /** Migrates rows written by the previous version (inside Dexie's upgrade transaction). */
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}

/** Meta key set when the rows no longer match the code: `createProjection` rebuilds. */
export const META_STALE = 'stale';
/** Meta key: the schema version of the code that last opened the database. */
export const META_SCHEMA = 'schema';
/** Meta key: the user whose view the rows are (a database belongs to one account). */
export const META_VIEWER = 'viewer';

/**
 * Marks the projection for a rebuild. The projection is derived data: the engine's documents
 * are the source of truth, so a schema change that alters what a row means is migrated by
 * recomputing the rows rather than rewriting them in place (ADR 0008 § Migrations).
 */
export const markStale = async (tx: Transaction): Promise<void> => {
  await tx.table('meta').put({ key: META_STALE, value: true });
};

/**
 * The schema versions, oldest first. Append to change the schema, never edit a released one.
 * Each index is named in the query that uses it (queries/*.ts).
 */
export const PROJECTION_SCHEMA_VERSIONS: readonly ProjectionSchemaVersion[] = [
  {
    version: 1,
    stores: {
      users: 'id, username',
      contacts: '[ownerId+contactId]',
      // [shelf+pinned+lastActivity]: the chat list, in order, without reading hidden rows.
      conversations: 'id, peerId, [shelf+pinned+lastActivity]',
      participants: '[conversationId+userId+joinedAt], conversationId, userId',
      conversationStates: '[userId+conversationId]',
      // [conversationId+id]: keyset pages, last message and unread ranges (ids are time-ordered).
      messages: 'id, [conversationId+id]',
      attachments: 'id, messageId',
      reactions: '[messageId+userId], messageId, userId',
      receipts: '[conversationId+userId]',
      calls: 'id, [conversationId+startedAt+id]',
      callParticipants: '[callId+userId], callId, userId',
      screenShares: 'id, callId',
      meta: 'key',
    },
  },
  {
    // Engine gaps 2 (ADR 0008): receipts per device, both contact stances; reaction times,
    // block times and conversation creation times change what rows mean, so: rebuild.
    version: 2,
    stores: {
      deviceReceipts: '[conversationId+userId+deviceId], [conversationId+userId]',
      contactRequests: '[fromId+toId], toId',
    },
  },
  {
    // Message search (ADR 0028): one row per message, multi-entry keys *global (every
    // conversation) and *local (one conversation), each key ending in the message id so a
    // key range pages one token newest first. New derived rows: rebuild.
    version: 3,
    stores: {
      searchIndex: 'messageId, *global, *local',
    },
  },
  {
    // Message search, fewer prefixes (ADR 0028 § Fewer prefixes): the same indexes, but a word
    // is indexed under its prefixes of 2, 4 and 8 characters only (was every length 2–8). The
    // old rows are a superset (queries stay correct) but ~2.3× the size: rebuild to reclaim it.
    version: 4,
    stores: {
      searchIndex: 'messageId, *global, *local',
    },
  },
];

export const PROJECTION_SCHEMA_VERSION = PROJECTION_SCHEMA_VERSIONS.at(-1)?.version ?? 0;

export interface ProjectionDbOptions {
  /** The IndexedDB database name: one per account and device. */
  readonly name: string;
  /** An IndexedDB implementation (fake-indexeddb's in Node); defaults to the global. */
  readonly indexedDB?: DexieOptions['indexedDB'];
  readonly IDBKeyRange?: DexieOptions['IDBKeyRange'];
  /** Tests of migrations pass their own version list. */
  readonly versions?: readonly ProjectionSchemaVersion[];
}

/** Opens (creating or upgrading) the projection database. */
export async function openProjectionDb(options: ProjectionDbOptions): Promise<ProjectionDb> {
  const dexieOptions: DexieOptions = {};
  if (options.indexedDB !== undefined) dexieOptions.indexedDB = options.indexedDB;
  if (options.IDBKeyRange !== undefined) dexieOptions.IDBKeyRange = options.IDBKeyRange;
  const db = new Dexie(options.name, dexieOptions) as ProjectionDb;
  const versions = options.versions ?? PROJECTION_SCHEMA_VERSIONS;
  versions.forEach((v, i) => {
    const declared = db.version(v.version).stores(v.stores);
    // Every version after the first invalidates the rows unless it migrates them itself.
    if (v.upgrade !== undefined) declared.upgrade(v.upgrade);
    else if (i > 0) declared.upgrade(markStale);
  });
  const latest = versions.at(-1)?.version ?? 0;
  try {
    await db.open();
    // Dexie 4 opens a database a newer version wrote (IndexedDB's own version check is bypassed),
    // so the code's schema version is stamped in meta and checked here.
    const stamped = (await db.meta.get(META_SCHEMA))?.value;
    if (typeof stamped === 'number' && stamped > latest) {
      db.close();
      throw new KithError('unsupported_version', 'projection database was written by a newer version');
    }
    if (stamped !== latest) await db.meta.put({ key: META_SCHEMA, value: latest });
  } catch (error) {
    if (error instanceof KithError) throw error;
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'VersionError') throw new KithError('unsupported_version', 'projection database was written by a newer version', { cause: error });
    throw new KithError('storage_failed', 'cannot open the projection database', { cause: error });
  }
  return db;
}
