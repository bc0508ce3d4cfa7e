import type { CallId, ConversationId, DeviceId, DocId, UserId } from '../ids.js';
import type { Message } from '../model/message.js';
import type { Watermark } from '../model/receipt.js';
import type { Call, CallParticipant, ScreenShare, StoredCall, StoredParticipant } from '../model/call.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import type { Loader } from './loader.js';
import { uuidV7Time } from '../ids.js';
import { feedDocId } from '../model/doc-ids.js';
import { DEL, MSG, parseStoredMessage, toMessage } from '../model/message.js';
import { laterReaction, parseStoredReaction, REACT, type StoredReaction } from '../model/reaction.js';
import { EMPTY_WATERMARK, mergeWatermarks, parseWatermark, RCPT } from '../model/receipt.js';
import { CALL, CALLP, deriveCallStatus, parseStoredCall, parseStoredParticipant, parseStoredShare, SHARE } from '../model/call.js';
import { othersIn } from './feed-policy.js';
import { hiddenChanges } from './hidden-changes.js';
import { isAuthoredBy } from '../model/authored-id.js';
import { isDue } from './due.js';
import { feedIndexOf } from './feed-index.js';

export interface Reaction {
  readonly user: UserId;
  readonly emoji: string;
  /** When the reaction was made (ms: the time of its HLC id). */
  readonly reactedAt: number;
}

/** One device's receipt watermark: the highest it wrote in any chunk (ADR 0001 § Receipts). */
export interface DeviceWatermark extends Watermark {
  readonly device: DeviceId;
}

/**
 * Read side of the feeds: every value is validated with the model's `parse*` functions
 * (invalid entries are skipped and counted in `stats.invalidEntries`). Pagination walks each
 * author's chunks newest-first and merges them by message id, so a page costs
 * O(authors × limit), not O(history). What a blocked author wrote is read through the device's
 * hidden set (hidden-changes.ts): never shown, not even after an unblock.
 */
export interface FeedReader {
  message(doc: LoadedDoc, id: string): Message | null;
  findLoaded(conversation: ConversationId, id: string): { doc: LoadedDoc; message: Message } | null;
  find(conversation: ConversationId, id: string): Promise<{ doc: LoadedDoc; message: Message } | null>;
  page(conversation: ConversationId, before: string | null, after: string | null, limit: number): Promise<Message[]>;
  reactions(conversation: ConversationId, messageId: string): Reaction[];
  ownReaction(conversation: ConversationId, messageId: string): StoredReaction | undefined;
  watermark(conversation: ConversationId, user: UserId): Watermark;
  /** Per device of `user`, sorted by device id; their merge is `watermark`. */
  deviceWatermarks(conversation: ConversationId, user: UserId): DeviceWatermark[];
  calls(conversation: ConversationId): Call[];
  /** My feed chunk that new entries go to (the next one once the current holds chunkMessages). */
  currentChunk(conversation: ConversationId): Promise<{ id: DocId; fresh: boolean }>;
}

export function createFeedReader(core: Core, loader: Loader): FeedReader {
  const hidden = hiddenChanges(core);
  const invalid = (): null => {
    core.stats.invalidEntries++;
    return null;
  };
  const dueIds = (...ids: Array<string | null>): boolean => ids.every((id) => id === null || isDue(core, uuidV7Time(id)));
  const dueTimes = (...times: Array<number | null>): boolean => times.every((t) => t === null || isDue(core, t));
  const feedOf = (doc: LoadedDoc): { conversation: ConversationId; author: UserId } | null =>
    doc.ref.kind === 'feed' ? { conversation: doc.ref.conversation, author: doc.ref.author } : null;

  const message = (doc: LoadedDoc, id: string): Message | null => {
    const feed = feedOf(doc);
    const raw = hidden.get(doc, MSG, id);
    if (feed === null || raw === undefined) return null;
    // ID-1: a message keyed by an id that does not bind to this feed's author is ignored.
    if (!isAuthoredBy(id, feed.author)) return invalid();
    const stored = parseStoredMessage(id, raw);
    if (stored === null) return invalid();
    // ID-2: dated beyond the skew bound (the id or its last edit): not shown until due.
    if (!isDue(core, uuidV7Time(id)) || (stored.editedAt !== null && !isDue(core, uuidV7Time(stored.editedAt)))) return null;
    return toMessage(feed.conversation, feed.author, id, stored, hidden.get(doc, DEL, id) !== undefined);
  };

  const findLoaded = (conversation: ConversationId, id: string) => {
    for (const doc of core.docs.loadedFeedDocs(conversation)) {
      const m = message(doc, id);
      if (m !== null) return { doc, message: m };
    }
    return null;
  };

  /** One author's messages with ids in (after, before), newest first, at most `limit`. */
  const authorPage = async (conversation: ConversationId, author: UserId, chunks: number[], before: string | null, after: string | null, limit: number) => {
    const out: Message[] = [];
    for (let i = chunks.length - 1; i >= 0 && out.length < limit; i--) {
      const doc = await loader.ensure(feedDocId(conversation, author, chunks[i]!));
      if (doc === undefined) continue;
      const keys = hidden.keys(doc, MSG);
      for (let k = keys.length - 1; k >= 0 && out.length < limit; k--) {
        const key = keys[k]!;
        if (before !== null && key >= before) continue;
        if (after !== null && key <= after) break;
        const m = message(doc, key);
        if (m !== null) out.push(m);
      }
      if (after !== null && keys.length > 0 && keys[0]! <= after) break;
    }
    return out;
  };

  const index = feedIndexOf(core);

  // Reactions, receipts and calls come from the feed index (ADR 0019): every chunk's entries
  // as this device shows them, loaded or not; each value is judged here when read.
  const reactionsOf = (conversation: ConversationId, messageId: string): Map<UserId, StoredReaction> => {
    const best = new Map<UserId, StoredReaction>();
    for (const { author, value } of index.values(conversation, REACT, messageId)) {
      const r = parseStoredReaction(messageId, value);
      if (r === null) invalid();
      else if (isDue(core, uuidV7Time(r.at))) best.set(author, laterReaction(best.get(author), r)); // ID-2
    }
    return best;
  };

  const deviceWatermarks = (conversation: ConversationId, user: UserId): DeviceWatermark[] => {
    const byDevice = new Map<string, Watermark>();
    for (const [device, { author, value }] of index.entries(conversation, RCPT)) {
      if (author !== user) continue;
      const parsed = parseWatermark(device, value);
      if (parsed === null) invalid();
      else if (!dueIds(parsed.delivered, parsed.read)) continue; // ID-2: a watermark from the future waits
      else byDevice.set(device, mergeWatermarks(byDevice.get(device) ?? EMPTY_WATERMARK, parsed));
    }
    return [...byDevice]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([device, w]) => ({ device: device as DeviceId, delivered: w.delivered, read: w.read }));
  };

  return {
    message,
    findLoaded,
    async find(conversation, id) {
      await hidden.ready;
      const hit = findLoaded(conversation, id);
      if (hit !== null) return hit;
      for (const [author, chunks] of core.docs.feedChunks(conversation)) {
        for (let i = chunks.length - 1; i >= 0; i--) {
          const docId = feedDocId(conversation, author, chunks[i]!);
          if (!core.docs.isStoredUnloaded(docId)) continue;
          const doc = await loader.ensure(docId);
          const m = doc === undefined ? null : message(doc, id);
          if (m !== null && doc !== undefined) return { doc, message: m };
        }
      }
      return null;
    },
    async page(conversation, before, after, limit) {
      await hidden.ready;
      const all: Message[] = [];
      for (const [author, chunks] of core.docs.feedChunks(conversation)) {
        all.push(...(await authorPage(conversation, author, chunks, before, after, limit)));
      }
      all.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return all.slice(0, limit).reverse();
    },
    reactions(conversation, messageId) {
      const out: Reaction[] = [];
      for (const [user, r] of reactionsOf(conversation, messageId)) {
        if (r.emoji !== null) out.push({ user, emoji: r.emoji, reactedAt: uuidV7Time(r.at) });
      }
      return out.sort((a, b) => (a.user < b.user ? -1 : 1));
    },
    ownReaction: (conversation, messageId) => reactionsOf(conversation, messageId).get(core.me),
    watermark: (conversation, user) => deviceWatermarks(conversation, user).reduce<Watermark>(mergeWatermarks, EMPTY_WATERMARK),
    deviceWatermarks,
    calls(conversation) {
      const records = new Map<string, { caller: UserId; call: StoredCall }>();
      const parts = new Map<string, Map<UserId, { p: StoredParticipant; chunk: number }>>();
      const shares = new Map<string, ScreenShare[]>();
      for (const [key, { author, value }] of index.entries(conversation, CALL)) {
        const c = isAuthoredBy(key, author) ? parseStoredCall(key, value) : null; // ID-1
        if (c === null) invalid();
        else if (dueIds(key) && dueTimes(c.startedAt, c.endedAt)) records.set(key, { caller: author, call: c }); // ID-2
      }
      for (const [key, { author, chunk, value }] of index.entries(conversation, CALLP)) {
        const p = parseStoredParticipant(key, value);
        if (p === null) {
          invalid();
          continue;
        }
        if (!dueTimes(p.at, p.joinedAt)) continue; // ID-2
        let m = parts.get(key);
        if (m === undefined) parts.set(key, (m = new Map<UserId, { p: StoredParticipant; chunk: number }>()));
        const prev = m.get(author);
        if (prev === undefined || chunk > prev.chunk || (chunk === prev.chunk && p.at >= prev.p.at)) m.set(author, { p, chunk });
      }
      for (const [key, { author, value }] of index.entries(conversation, SHARE)) {
        const s = isAuthoredBy(key, author) ? parseStoredShare(key, value) : null; // ID-1
        if (s === null) invalid();
        else if (!dueIds(key) || !dueTimes(s.startedAt, s.endedAt)) continue; // ID-2
        else shares.set(s.call, [...(shares.get(s.call) ?? []), { id: key, user: author, startedAt: s.startedAt, endedAt: s.endedAt }]);
      }
      const members = othersIn(core, conversation);
      const out: Call[] = [];
      for (const [id, { caller, call }] of records) {
        const participants: CallParticipant[] = [...(parts.get(id) ?? [])]
          .filter(([user]) => user !== caller)
          .map(([user, { p }]) => ({ user, state: p.state, joinedAt: p.joinedAt, at: p.at }))
          .sort((a, b) => (a.user < b.user ? -1 : 1));
        out.push({
          id: id as CallId,
          conversation,
          caller,
          kind: call.kind,
          status: deriveCallStatus(call, members, participants),
          startedAt: call.startedAt,
          endedAt: call.endedAt,
          endReason: call.endReason,
          invitees: call.invitees ?? members,
          participants,
          screenShares: (shares.get(id) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1)),
        });
      }
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async currentChunk(conversation) {
      const mine = core.docs.feedChunks(conversation).get(core.me) ?? [];
      const n = mine[mine.length - 1];
      if (n === undefined) return { id: feedDocId(conversation, core.me, 0), fresh: true };
      const id = feedDocId(conversation, core.me, n);
      const doc = await loader.ensure(id);
      if (doc === undefined) return { id, fresh: true };
      doc.msgCount ??= doc.crdt.keys(MSG).length;
      return doc.msgCount >= core.chunkMessages ? { id: feedDocId(conversation, core.me, n + 1), fresh: true } : { id, fresh: false };
    },
  };
}

