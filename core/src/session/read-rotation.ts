import type { Result } from '../errors.js';
import { toHex, type ConversationId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Storage, StorageWrite, StoredValue } from '../ports/storage.js';
import type { Identity } from '../crypto/identity.js';
import type { IntroBook } from './intro-book.js';
import type { KeyStore } from './key-store.js';
import type { MembershipViews } from './membership-views.js';
import { randomToken } from './own-secrets.js';
import { GROUP_TOKENS } from './grants.js';

/**
 * The relay's capability records as a rotation needs them (CAP-2): the sync layer implements it
 * over HTTP with its session. Never throws; `offline` when there is no session.
 */
export interface CapabilityRelay {
  /** The stored version of `scope` and its controllers (hex Ed25519 keys); `not_found` if none. */
  get(scope: string): Promise<Result<{ readonly version: number; readonly controllers: readonly string[] }>>;
  /** Stores `version` of `scope` with the SHA-256 of `token`, signed by me, naming `controllers`. */
  put(scope: string, token: string, version: number, controllers: readonly Uint8Array[]): Promise<Result<void>>;
}

/** SYNC-24: rotates a group's read capability when a member departs (see `loadReadRotation`). */
export interface ReadRotation {
  /** Rotates every group that is due; cheap when nothing changed (no relay call). */
  check(): Promise<void>;
}

export interface ReadRotationDeps {
  readonly crypto: CryptoPort;
  readonly identity: Identity;
  readonly engine: Pick<EngineLink, 'outbox'>;
  readonly storage: Storage;
  readonly keys: KeyStore;
  readonly memberships: MembershipViews;
  readonly book: IntroBook;
  readonly relay: CapabilityRelay;
}

/** Meta `sync/readrot/<conv>` = `{ r: removals, a: admins }` of the group this device last settled. */
const META = 'sync/readrot/';
/** Refusals worth trying again at the next check (`conflict`: another controller rotated; retry on its version). */
const RETRY = new Set(['conflict', 'rate_limited', 'storage_failed', 'offline']);

interface Mark {
  readonly r: number;
  readonly a: string;
}

const asMark = (v: StoredValue): Mark | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const r = v['r'];
  const a = v['a'];
  return typeof r === 'number' && typeof a === 'string' ? { r, a } : undefined;
};

/**
 * SYNC-24 (ADR 0016 §3): removed and departed members get nothing more from the relay. When a
 * group's `removals` rises (a removal or a leave) or its admins change, and none of this device's
 * own `members:` changes of the group is still unacknowledged (the departed read the op under the
 * old token, KEY-9), an admin whose key is among the controllers of `conv:<c>` (CAP-2) stores
 * version n+1 with a fresh read token, naming the group's current admins as controllers, and
 * grants the token to every current member (intros, own other devices included). The relay ends
 * the live subscriptions that present the old token (L2) and refuses `sub`/`pull` with it (CAP-4).
 * Every admin device does this once per change it sees, so one offline admin (or a creator who
 * left) does not leave the group without a rotation; a duplicate costs one more version.
 */
export async function loadReadRotation(deps: ReadRotationDeps): Promise<ReadRotation> {
  const { crypto, identity, engine, storage, keys, memberships, book, relay } = deps;
  const me = identity.userId;
  const myKey = toHex(identity.public.signingKey);
  const settled = new Map<ConversationId, Mark>();
  for (const [k, v] of await storage.listMeta(META)) {
    const m = asMark(v);
    if (m !== undefined) settled.set(k.slice(META.length) as ConversationId, m);
  }
  const settle = (conv: ConversationId, mark: Mark): StorageWrite => {
    settled.set(conv, mark);
    return { type: 'putMeta', key: `${META}${conv}`, value: { r: mark.r, a: mark.a } };
  };
  /** The signing keys of the admins this device knows (its own always). */
  const controllersOf = (admins: readonly UserId[]): Uint8Array[] => {
    const out: Uint8Array[] = [identity.public.signingKey];
    for (const u of admins) {
      const k = u === me ? undefined : keys.user(u)?.signingKey;
      if (k !== undefined) out.push(k);
    }
    return out.slice(0, 64);
  };

  /**
   * SYNC-24: per group, the members and newest read token this admin device last handed out (in
   * memory: first sight after a start hands out nothing). A member added by another admin who did
   * not hold the newest token yet (a concurrent rotation) would otherwise never get it: the
   * rotating admin granted it to the members of the time only, and grants otherwise ride on
   * changes sealed for the group.
   */
  const handed = new Map<ConversationId, { members: Set<UserId>; token: string | undefined }>();
  /** Rotates one group if due; returns the writes to commit (none: nothing to do or try later). */
  const rotate = async (conv: ConversationId): Promise<StorageWrite[]> => {
    const s = memberships.state(conv);
    if (s === undefined || !s.created || !s.members.has(me)) return [];
    const admins = [...s.members].filter(([, m]) => m.role === 'admin').map(([u]) => u).sort();
    const mark: Mark = { r: s.removals, a: admins.join(',') };
    const last = settled.get(conv);
    if (last === undefined) return [settle(conv, mark)]; // first sight: nothing departed since
    if (last.r === mark.r && last.a === mark.a) return [];
    if (engine.outbox().some((c) => c.doc === `members:${conv}`)) return []; // the op first (KEY-9)
    if (s.members.get(me)?.role !== 'admin') return [settle(conv, mark)];
    const scope = `conv:${conv}`;
    const current = await relay.get(scope);
    if (!current.ok) return current.error.code === 'not_found' ? [settle(conv, mark)] : [];
    if (!current.value.controllers.includes(myKey)) return [settle(conv, mark)];
    const controllers = controllersOf(admins);
    const named = new Set(controllers.map(toHex));
    const sameControllers = current.value.controllers.length === named.size && current.value.controllers.every((k) => named.has(k));
    if (mark.r === last.r && sameControllers) return [settle(conv, mark)];
    const token = randomToken(crypto);
    const put = await relay.put(scope, token, current.value.version + 1, controllers);
    if (!put.ok) return RETRY.has(put.error.code) ? [] : [settle(conv, mark)];
    const writes: StorageWrite[] = [settle(conv, mark), ...keys.addToken(scope, token)];
    for (const user of s.members.keys()) book.grant(user, { scope, token });
    handed.set(conv, { members: new Set(s.members.keys()), token });
    writes.push(...book.flush());
    return writes;
  };

  const regrant = (conv: ConversationId): StorageWrite[] => {
    const s = memberships.state(conv);
    if (s === undefined || !s.created || s.members.get(me)?.role !== 'admin') return [];
    const scope = `conv:${conv}`;
    const tokens = keys.tokens(scope);
    const token = tokens.at(-1);
    const members = new Set(s.members.keys());
    const last = handed.get(conv);
    handed.set(conv, { members, token });
    if (last === undefined || token === undefined) return [];
    const to = last.token === token ? [...members].filter((u) => !last.members.has(u)) : [...members];
    if (to.length === 0) return [];
    for (const user of to) for (const t of tokens.slice(-GROUP_TOKENS)) book.grant(user, { scope, token: t });
    return book.flush();
  };

  let running = false;
  return {
    async check() {
      if (running) return;
      running = true;
      try {
        for (const conv of memberships.groups()) {
          const writes = [...(await rotate(conv)), ...regrant(conv)];
          if (writes.length === 0) continue;
          await storage.commit(writes);
          book.queueFlushed();
        }
      } finally {
        running = false;
      }
    },
  };
}
