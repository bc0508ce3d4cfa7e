import type { ConversationId, UserId } from '../ids.js';
import type { Storage, StorageWrite, StoredValue } from '../ports/storage.js';
import type { MembershipView } from '../crypto/authorize.js';
import { createMembershipLog, type MembershipLog, type MembershipState } from '../model/membership/index.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';

/**
 * The sync layer's own replica of each group's membership log, fed with every member op it
 * opens or sends (meta `sync/mop/<conv>/<hash>`). It decides who may author what (the
 * membership authorizer, AUTH-*) and when keys rotate (the epoch planner), without reaching
 * into the engine. Direct conversations have no log: their view is the pair, both admins.
 */
export interface MembershipReplicas {
  /** Adds an op proven to come from `author`; returns writes to persist it (none if refused). */
  receive(conv: ConversationId, bytes: Uint8Array, author: UserId): { writes: StorageWrite[]; changed: boolean };
  state(conv: ConversationId): MembershipState | undefined;
  setDirect(conv: ConversationId, pair: readonly [UserId, UserId]): StorageWrite[];
  isDirect(conv: ConversationId): boolean;
  /** The view the authorizer and planner use (groups and directs). */
  view(conv: ConversationId): MembershipView | undefined;
  groups(): ConversationId[];
}

const asObj = (v: StoredValue): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? v : undefined);

/**
 * `revalidate` (C2, KEY-8) is told every view that changed — after loading, after each op received,
 * after a direct pair is set — so the keyring re-decides which epoch key may be sent under.
 */
export async function loadMembershipReplicas(storage: Storage, revalidate: (conv: ConversationId, view: MembershipView) => void = () => undefined): Promise<MembershipReplicas> {
  const logs = new Map<ConversationId, MembershipLog>();
  const directs = new Map<ConversationId, MembershipView>();
  const logOf = (conv: ConversationId): MembershipLog => {
    let log = logs.get(conv);
    if (log === undefined) logs.set(conv, (log = createMembershipLog(conv)));
    return log;
  };
  const setDirectView = (conv: ConversationId, pair: readonly UserId[]): void => {
    directs.set(conv, { created: true, members: new Map(pair.map((u) => [u, { role: 'admin' as const }])), former: new Map(), cutoffs: new Map(), removals: 0 });
  };
  for (const [key, v] of await storage.listMeta('sync/mop/')) {
    const o = asObj(v);
    const bytes = typeof o?.['b'] === 'string' ? fromBase64(o['b']) : undefined;
    const conv = key.split('/')[2] as ConversationId | undefined;
    if (o !== undefined && bytes !== undefined && conv !== undefined) logOf(conv).receive(bytes, String(o['a']) as UserId);
  }
  for (const [key, v] of await storage.listMeta('sync/direct/')) {
    if (Array.isArray(v)) setDirectView(key.slice('sync/direct/'.length) as ConversationId, v as UserId[]);
  }
  for (const [conv, log] of logs) revalidate(conv, log.state());
  for (const [conv, view] of directs) revalidate(conv, view);
  return {
    receive(conv, bytes, author) {
      const log = logOf(conv);
      const before = log.state().heads.join();
      const r = log.receive(bytes, author);
      if (!r.ok) return { writes: [], changed: false };
      const changed = log.state().heads.join() !== before;
      if (changed) revalidate(conv, log.state());
      if (r.value.status === 'duplicate') return { writes: [], changed };
      return { writes: [{ type: 'putMeta', key: `sync/mop/${conv}/${r.value.hash}`, value: { a: author, b: toBase64(bytes) } }], changed };
    },
    state: (conv) => logs.get(conv)?.state(),
    setDirect(conv, pair) {
      if (directs.has(conv)) return [];
      setDirectView(conv, pair);
      const view = directs.get(conv);
      if (view !== undefined) revalidate(conv, view);
      return [{ type: 'putMeta', key: `sync/direct/${conv}`, value: [...pair] }];
    },
    isDirect: (conv) => directs.has(conv),
    view: (conv) => directs.get(conv) ?? logs.get(conv)?.state(),
    groups: () => [...logs.keys()],
  };
}
