import type { Dexie, Table, Transaction } from 'dexie';
import type { StoredValue } from '../../ports/storage.js';

/** A stored document: its snapshot and the window `[first, next)` of its update sequence numbers. */
export interface DocRow {
  doc: string;
  snapshot: Uint8Array | null;
  first: number;
  next: number;
}
export interface UpdateRow {
  doc: string;
  seq: number;
  data: Uint8Array;
}
export interface MetaRow {
  key: string;
  value: StoredValue;
}
export interface OutboxRow {
  /** Auto-incremented: the outbox order. Absent until added. */
  seq?: number;
  id: string;
  item: Uint8Array;
}

/** One row, key 'schema': the schema version of the code that last opened the database. */
export interface InfoRow {
  key: 'schema';
  version: number;
}

export type KithDexie = Dexie & {
  info: Table<InfoRow, string>;
  docs: Table<DocRow, string>;
  updates: Table<UpdateRow, [string, number]>;
  meta: Table<MetaRow, string>;
  outbox: Table<OutboxRow, number>;
};

interface SchemaVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, string | null>>;
  /** Rewrites rows written by the previous version; runs inside Dexie's upgrade transaction. */
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}

/**
 * Every schema version, oldest first (docs/adr/0005-local-storage.md § Schema versions).
 * Append a version to change the schema; never edit a released one. Dexie diffs consecutive
 * `stores` and creates/drops tables and indexes itself; `upgrade` migrates row contents.
 */
export const DEXIE_SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: {
      docs: 'doc',
      updates: '[doc+seq]',
      meta: 'key',
      outbox: '++seq, &id',
      info: 'key',
    },
  },
];

export const DEXIE_SCHEMA_VERSION = DEXIE_SCHEMA_VERSIONS[DEXIE_SCHEMA_VERSIONS.length - 1]?.version ?? 0;

/**
 * Since Dexie 4.0.1 a database written by a newer schema opens without a VersionError (Dexie
 * adapts to the installed version and even bumps the native version to add missing tables),
 * so the native version cannot tell us whether newer code wrote the data. The `info` row can:
 * returns the stored version after stamping ours on a database that is new or was upgraded.
 */
export async function stampSchemaVersion(db: KithDexie): Promise<number> {
  return db.transaction('rw', db.info, async () => {
    const stored = (await db.info.get('schema'))?.version ?? 0;
    if (stored < DEXIE_SCHEMA_VERSION) await db.info.put({ key: 'schema', version: DEXIE_SCHEMA_VERSION });
    return stored;
  });
}

/** Declares every version on `db` (before it is opened). */
export function declareDexieSchema(db: Dexie): void {
  for (const v of DEXIE_SCHEMA_VERSIONS) {
    const declared = db.version(v.version).stores(v.stores);
    if (v.upgrade !== undefined) declared.upgrade(v.upgrade);
  }
}
