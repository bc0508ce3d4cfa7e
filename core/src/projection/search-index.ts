import type { MessagesRow, SearchTokensRow } from './projection-rows.js';
import type { ProjectionDb } from './projection-schema.js';
import { indexTokens } from './search-text.js';

/**
 * Keeps the search index (table searchTokens, ADR 0028) equal to the message rows: a message's
 * tokens are those of its current body (none when deleted or attachment-only). Runs inside
 * writeBatch's transaction, so a row and its tokens change together.
 */

const CHUNK = 5000;

const tokenRows = (m: MessagesRow): SearchTokensRow[] =>
  m.body === null || m.deletedAt !== null ? [] : indexTokens(m.body).map((token) => ({ token, messageId: m.id, conversationId: m.conversationId }));

/** Drops the tokens of messages that are gone (retracted or cleared). */
export async function removeSearchTokens(db: ProjectionDb, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.searchTokens.where('messageId').anyOf([...ids]).delete();
}

/**
 * Indexes the rows just written. Only bodies that changed are re-tokenised (a reaction or a
 * receipt re-reads the message with the same text); `previous` holds the rows they replace,
 * `clear` says the table was emptied (a rebuild).
 */
export async function indexMessages(db: ProjectionDb, rows: Iterable<MessagesRow>, previous: ReadonlyMap<string, MessagesRow>, clear: boolean): Promise<void> {
  const stale: string[] = [];
  const fresh: SearchTokensRow[] = [];
  for (const m of rows) {
    const before = previous.get(m.id);
    if (!clear && before !== undefined) {
      if (before.body === m.body && (before.deletedAt === null) === (m.deletedAt === null)) continue;
      stale.push(m.id);
    }
    fresh.push(...tokenRows(m));
  }
  await removeSearchTokens(db, stale);
  for (let i = 0; i < fresh.length; i += CHUNK) await db.searchTokens.bulkPut(fresh.slice(i, i + CHUNK));
}
