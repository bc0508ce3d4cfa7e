import type { ConversationsRow, MessagesRow } from '../projection-rows.js';
import type { ProjectionDb } from '../projection-schema.js';
import { KithError } from '../../errors.js';
import { lookupToken, matchesTerms, matchRanges, parseSearchTerms, PREFIX_LENGTHS } from '../search-text.js';
import { packId, SEP } from '../search-index.js';
import { usernamesOf } from './usernames.js';

export interface MessageSearchQuery {
  /** Only this conversation (default: every conversation the viewer is in). */
  readonly conversation?: string;
  /** 1–100, default 20. */
  readonly limit?: number;
  /** Keyset cursor: the `next` of the previous page (a message id; ids are time-ordered). */
  readonly before?: string;
}

export interface MessageSearchRow {
  id: string;
  conversationId: string;
  senderId: string;
  username: string;
  body: string;
  createdAt: number;
  editedAt: number | null;
  /** Where the query's terms match in `body`: [start, end) UTF-16 offsets, in order. */
  matches: Array<[number, number]>;
}

export interface MessageSearchPage {
  /** Newest first. */
  messages: MessageSearchRow[];
  /** Pass as `before` for the next page; null when there are no more. */
  next: string | null;
}

/** Index entries read per call at most: a page may come back short (with `next`) rather than slow. */
export const SEARCH_SCAN_BUDGET = 2000;
const BATCH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const expectUuid = (id: string): string => {
  if (typeof id !== 'string' || !UUID.test(id)) throw new KithError('invalid_argument', 'not an id');
  return id;
};

/**
 * Message search (ADR 0028): messages whose words start with every term of `text`, newest
 * first. Reads the index keys of the most selective-looking term (the longest lookup token) backwards
 * from the cursor — index searchIndex[*global] (`token SEP id`), or [*local]
 * (`conversation SEP token SEP id`, ids packed) for one conversation — and verifies each candidate's current row against all terms, so the
 * cost is the postings walked (bounded per call by SEARCH_SCAN_BUDGET), not the history.
 * Hidden like the conversation page: deleted text never matches, nor cleared messages (their
 * rows are gone), nor conversations the viewer has left (shelf 0).
 */
export async function searchMessages(db: ProjectionDb, viewer: string, text: string, query: MessageSearchQuery = {}): Promise<MessageSearchPage> {
  return searchMessagesWith(db, viewer, text, query, PREFIX_LENGTHS);
}

/** `searchMessages` over an index built with other prefix lengths: the bench's before/after comparison (not exported by the package). */
export async function searchMessagesWith(db: ProjectionDb, viewer: string, text: string, query: MessageSearchQuery, lengths: readonly number[]): Promise<MessageSearchPage> {
  const limit = query.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new KithError('invalid_argument', 'limit is 1–100');
  if (typeof text !== 'string') throw new KithError('invalid_argument', 'search text must be a string');
  const terms = parseSearchTerms(text.slice(0, 1000));
  // The driver: the term with the longest lookup token (the most selective-looking), ties to the longer term.
  const driver = terms.reduce((a, t) => {
    const [lt, la] = [lookupToken(t, lengths).length, lookupToken(a, lengths).length];
    return lt > la || (lt === la && t.length > a.length) ? t : a;
  }, '');
  if (driver === '') return { messages: [], next: null };
  const token = lookupToken(driver, lengths);
  const conv = query.conversation;
  const prefix = conv === undefined ? `${token}${SEP}` : `${packId(expectUuid(conv))}${SEP}${token}${SEP}`;
  const index = conv === undefined ? 'global' : 'local';
  // Keys of this token: [prefix, prefix + U+FFFF); below the cursor: [prefix, prefix + cursor).
  const range = (upper: string | undefined) =>
    db.searchIndex.where(index).between(prefix, upper === undefined ? `${prefix}\uffff` : `${prefix}${packId(upper)}`, true, false);
  const convs = new Map<string, { visible: boolean; cleared: string | null }>();
  const visible = async (rows: MessagesRow[]): Promise<void> => {
    const ids = [...new Set(rows.map((m) => m.conversationId))].filter((id) => !convs.has(id));
    if (ids.length === 0) return;
    const [cs, states] = await Promise.all([db.conversations.bulkGet(ids), db.conversationStates.bulkGet(ids.map((id): [string, string] => [viewer, id]))]);
    ids.forEach((id, i) => {
      const c: ConversationsRow | undefined = cs[i];
      convs.set(id, { visible: c !== undefined && c.shelf !== 0, cleared: states[i]?.clearedUpTo ?? null });
    });
  };

  const found: MessagesRow[] = [];
  let cursor = query.before === undefined ? undefined : expectUuid(query.before);
  let scanned = 0;
  let next: string | null = null;
  while (found.length < limit) {
    if (scanned >= SEARCH_SCAN_BUDGET) {
      next = cursor ?? null;
      break;
    }
    // The first read is the page (a single term's candidates all match); then larger reads.
    const want = Math.min(scanned === 0 ? limit : BATCH, SEARCH_SCAN_BUDGET - scanned);
    const ids = await range(cursor).reverse().limit(want).primaryKeys();
    if (ids.length === 0) break;
    scanned += ids.length;
    const rows = (await db.messages.bulkGet(ids)).filter((m): m is MessagesRow => m !== undefined);
    await visible(rows);
    const byId = new Map(rows.map((m) => [m.id, m]));
    for (const id of ids) {
      cursor = id;
      const m = byId.get(id);
      const c = m === undefined ? undefined : convs.get(m.conversationId);
      if (m === undefined || c === undefined || !c.visible || m.body === null || m.deletedAt !== null) continue;
      if (c.cleared !== null && m.id <= c.cleared) continue;
      if (!matchesTerms(m.body, terms)) continue;
      found.push(m);
      if (found.length === limit) {
        next = m.id;
        break;
      }
    }
    if (ids.length < want && found.length < limit) break;
  }
  const names = await usernamesOf(db, found.map((m) => m.senderId));
  return {
    messages: found.map((m) => ({
      id: m.id,
      conversationId: m.conversationId,
      senderId: m.senderId,
      username: names.get(m.senderId) ?? '',
      body: m.body ?? '',
      createdAt: m.createdAt,
      editedAt: m.editedAt,
      matches: matchRanges(m.body ?? '', terms),
    })),
    next,
  };
}
