import type { ConversationId, UserId } from '../ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import type { MembershipView } from '../crypto/authorize.js';
import type { DocChange } from '../protocol/doc-change.js';
import { conversationOfDoc } from '../model/doc-ids.js';
import { createMembershipLog, memberOpHash, type MembershipState } from '../model/membership/index.js';

/**
 * The session's view of each group's membership: the ENGINE's fold (one fold, ADR 0014 addendum)
 * restricted to the ops the session has taken — every peer's op the engine took from it, and
 * this device's own ops once they reach sealing, in outbox order. The engine's log holds a local
 * op from the moment the app makes it; seal-time decisions must not see it before its turn:
 * KEY-9 (`raised`: this op raised the removal count, so it is sealed under the prior epoch), the
 * AUTH-1 gate of a message written before my own removal or leave, and `ensureToken` for a
 * creator. While no own op waits, the view IS the engine's state; otherwise it is the fold of the
 * engine's ops minus the waiting ones (MEM-3: a function of the op set), cached per engine heads.
 * Nothing of it is persisted: at load the session has taken every op of the engine's logs except
 * own ops still in the outbox without a sealed envelope. Direct conversations have no log: their
 * view is the pair, both admins (meta `sync/direct/<conv>`).
 */
export interface MembershipViews {
  /** A peer's membership op the engine took (applied, pending or duplicate): the view now has it. */
  took(conv: ConversationId, bytes: Uint8Array): { changed: boolean };
  /** One of this device's own ops reaches sealing (outbox order): the view now has it. */
  sealing(conv: ConversationId, bytes: Uint8Array): { changed: boolean };
  state(conv: ConversationId): MembershipState | undefined;
  setDirect(conv: ConversationId, pair: readonly [UserId, UserId]): StorageWrite[];
  isDirect(conv: ConversationId): boolean;
  /** The view the authorizer and planner use (groups and directs). */
  view(conv: ConversationId): MembershipView | undefined;
  groups(): ConversationId[];
}

/** What the views read of the engine. */
export type MembershipEngine = Pick<EngineLink, 'membershipLog' | 'membershipGroups' | 'outbox'>;

/**
 * `revalidate` (C2, KEY-8) is told every view that changed — after loading, after each op taken,
 * after a direct pair is set — so the keyring re-decides which epoch key may be sent under.
 * `sealed(change)`: whether an own outbox change already has its envelope (`sync/push/<changeKey>`).
 */
export async function loadMembershipViews(
  storage: Storage,
  engine: MembershipEngine,
  sealed: (change: DocChange) => boolean,
  revalidate: (conv: ConversationId, view: MembershipView) => void = () => undefined,
): Promise<MembershipViews> {
  /** Per group: hashes of the ops the session has taken. */
  const known = new Map<ConversationId, Set<string>>();
  const directs = new Map<ConversationId, MembershipView>();
  const cache = new Map<ConversationId, { key: string; state: MembershipState }>();
  /** The heads of the last view `revalidate` was told of. */
  const told = new Map<ConversationId, string>();
  const setDirectView = (conv: ConversationId, pair: readonly UserId[]): void => {
    directs.set(conv, { created: true, members: new Map(pair.map((u) => [u, { role: 'admin' as const }])), former: new Map(), cutoffs: new Map(), removals: 0 });
  };

  const waiting = new Map<ConversationId, Set<string>>();
  for (const c of engine.outbox()) {
    if (c.kind !== 'member' || sealed(c)) continue;
    const conv = conversationOfDoc(c.doc);
    if (conv === undefined) continue;
    let set = waiting.get(conv);
    if (set === undefined) waiting.set(conv, (set = new Set()));
    set.add(memberOpHash(c.payload));
  }
  for (const conv of engine.membershipGroups()) {
    const hashes = new Set((engine.membershipLog(conv)?.history() ?? []).map((h) => h.hash).filter((h) => waiting.get(conv)?.has(h) !== true));
    if (hashes.size > 0) known.set(conv, hashes);
  }
  // The session's former replica of the logs (`sync/mop/…`, before the one fold): no longer read.
  const stale = await storage.listMeta('sync/mop/');
  if (stale.length > 0) await storage.commit(stale.map(([key]) => ({ type: 'deleteMeta' as const, key })));
  for (const [key, v] of await storage.listMeta('sync/direct/')) {
    if (Array.isArray(v)) setDirectView(key.slice('sync/direct/'.length) as ConversationId, v as UserId[]);
  }

  const state = (conv: ConversationId): MembershipState | undefined => {
    const mine = known.get(conv);
    const log = engine.membershipLog(conv);
    if (mine === undefined || log === undefined) return undefined;
    const full = log.state();
    const key = `${full.heads.join()}#${mine.size}`;
    const hit = cache.get(conv);
    if (hit?.key === key) return hit.state;
    const history = log.history();
    let result = full;
    if (history.some((h) => !mine.has(h.hash))) {
      const ops = log.allOps();
      const fold = createMembershipLog(conv);
      history.forEach((h, i) => {
        const bytes = ops[i];
        if (bytes !== undefined && mine.has(h.hash)) fold.receive(bytes, h.op.author);
      });
      result = fold.state();
    }
    cache.set(conv, { key, state: result });
    return result;
  };
  const take = (conv: ConversationId, bytes: Uint8Array): { changed: boolean } => {
    let mine = known.get(conv);
    if (mine === undefined) known.set(conv, (mine = new Set()));
    mine.add(memberOpHash(bytes));
    const s = state(conv);
    const heads = s?.heads.join() ?? '';
    const changed = heads !== (told.get(conv) ?? '');
    if (changed && s !== undefined) {
      told.set(conv, heads);
      revalidate(conv, s);
    }
    return { changed };
  };

  for (const conv of known.keys()) {
    const s = state(conv);
    if (s === undefined) continue;
    told.set(conv, s.heads.join());
    revalidate(conv, s);
  }
  for (const [conv, view] of directs) revalidate(conv, view);
  return {
    took: take,
    sealing: take,
    state,
    setDirect(conv, pair) {
      if (directs.has(conv)) return [];
      setDirectView(conv, pair);
      const view = directs.get(conv);
      if (view !== undefined) revalidate(conv, view);
      return [{ type: 'putMeta', key: `sync/direct/${conv}`, value: [...pair] }];
    },
    isDirect: (conv) => directs.has(conv),
    view: (conv) => directs.get(conv) ?? state(conv),
    groups: () => [...known.keys()],
  };
}
