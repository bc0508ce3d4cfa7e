import type { MessagesRow, SearchIndexRow } from './projection-rows.js';
import type { ProjectionDb } from './projection-schema.js';
import { indexTokens, PREFIX_LENGTHS } from './search-text.js';

/**
 * Keeps the search index (table searchIndex, ADR 0028) equal to the message rows: a message's
 * row lists the tokens of its current body (no row when deleted or attachment-only). Runs
 * inside writeBatch's transaction, so a message row and its index row change together.
 */

/** Separates the parts of an index key (tokens are letters and digits, packed ids start above it). */
export const SEP = '\u0001';

/**
 * A UUID packed into 9 UTF-16 units of 15 bits each (0x1000 + value: below the surrogates), so
 * an index key carries an id in 9 units instead of 36 and packed ids sort as the ids do (the
 * hex digits, read as one 128-bit number, big-endian). Ids here are engine UUIDs (validated).
 */
export function packId(id: string): string {
  let bits = BigInt(`0x${id.replaceAll('-', '')}`) << 7n; // 128 → 135 bits = 9 × 15
  let out = '';
  for (let i = 0; i < 9; i++) {
    out = String.fromCharCode(0x1000 + Number(bits & 0x7fffn)) + out;
    bits >>= 15n;
  }
  return out;
}

export const globalKey = (token: string, messageId: string): string => `${token}${SEP}${packId(messageId)}`;
export const localKey = (conversationId: string, token: string, messageId: string): string => `${packId(conversationId)}${SEP}${token}${SEP}${packId(messageId)}`;

const CHUNK = 2000;

/** The index row of a message (null: nothing to index). `lengths`: the bench's comparison only. */
export function searchIndexRow(m: MessagesRow, lengths: readonly number[] = PREFIX_LENGTHS): SearchIndexRow | null {
  if (m.body === null || m.deletedAt !== null) return null;
  const tokens = indexTokens(m.body, lengths);
  if (tokens.length === 0) return null;
  return {
    messageId: m.id,
    conversationId: m.conversationId,
    global: tokens.map((t) => globalKey(t, m.id)),
    local: tokens.map((t) => localKey(m.conversationId, t, m.id)),
  };
}

/** Drops the index rows of messages that are gone (retracted or cleared). */
export async function removeSearchTokens(db: ProjectionDb, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.searchIndex.bulkDelete([...ids]);
}

/**
 * Indexes the rows just written. Only bodies that changed are re-tokenised (a reaction or a
 * receipt re-reads the message with the same text); `previous` holds the rows they replace,
 * `clear` says the table was emptied (a rebuild). `lengths`: the bench's comparison only.
 */
export async function indexMessages(
  db: ProjectionDb,
  rows: Iterable<MessagesRow>,
  previous: ReadonlyMap<string, MessagesRow>,
  clear: boolean,
  lengths: readonly number[] = PREFIX_LENGTHS,
): Promise<void> {
  const gone: string[] = [];
  const fresh: SearchIndexRow[] = [];
  for (const m of rows) {
    const before = previous.get(m.id);
    if (!clear && before !== undefined && before.body === m.body && (before.deletedAt === null) === (m.deletedAt === null)) continue;
    const row = searchIndexRow(m, lengths);
    if (row !== null) fresh.push(row);
    else if (!clear && before !== undefined) gone.push(m.id);
  }
  await removeSearchTokens(db, gone);
  for (let i = 0; i < fresh.length; i += CHUNK) await db.searchIndex.bulkPut(fresh.slice(i, i + CHUNK));
}
