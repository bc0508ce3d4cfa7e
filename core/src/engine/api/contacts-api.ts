import type { UserId } from '../../ids.js';
import type { Contact, ContactStance, RequestState } from '../../model/contact.js';
import type { ApiContext } from './context.js';
import { KithError } from '../../errors.js';
import { parseUserId } from '../../ids.js';
import { accountDocId, contactDocId } from '../../model/doc-ids.js';
import { blockEntryTime, BLOCKS, deriveContactStatus, parseBlockEntry, parseStoredRequest, REQ, REQ_KEY, requestToJson } from '../../model/contact.js';
import { serial } from './context.js';

export interface ContactsApi {
  request(user: UserId): Promise<void>;
  accept(user: UserId): Promise<void>;
  decline(user: UserId): Promise<void>;
  /** Private: only my devices know. Blocked users' feed changes are refused. */
  block(user: UserId): Promise<void>;
  unblock(user: UserId): Promise<void>;
  get(user: UserId): Contact;
  list(): Contact[];
}

export function createContactsApi(ctx: ApiContext): ContactsApi {
  const { core, writer } = ctx;
  const stance = (from: UserId, to: UserId): ContactStance | null => {
    const raw = core.docs.get(contactDocId(from, to))?.crdt.get(REQ, REQ_KEY);
    if (raw === undefined) return null;
    const r = parseStoredRequest(raw);
    if (r === null) core.stats.invalidEntries++;
    return r;
  };
  const side = (from: UserId, to: UserId): RequestState | null => stance(from, to)?.state ?? null;
  const blockEntry = (user: UserId): unknown => core.docs.get(accountDocId(core.me))?.crdt.get(BLOCKS, user);
  const blocked = (user: UserId): boolean => {
    const raw = blockEntry(user);
    return raw === undefined ? false : parseBlockEntry(raw) === true;
  };
  const get = (user: UserId): Contact => {
    const b = blocked(user);
    const mine = stance(core.me, user);
    const theirs = stance(user, core.me);
    const blockedAt = b ? blockEntryTime(blockEntry(user)) : null;
    return { user, status: deriveContactStatus(mine?.state ?? null, theirs?.state ?? null, b), blocked: b, blockedAt, mine, theirs };
  };
  const other = (value: unknown): UserId => {
    const user = parseUserId(value);
    if (user === core.me) throw new KithError('invalid_argument', 'that is you');
    return user;
  };
  const writeSide = (user: UserId, state: RequestState) =>
    writer.update(contactDocId(core.me, user), [{ op: 'set', collection: REQ, key: REQ_KEY, value: requestToJson({ state, at: core.clock.now() }) }]);
  const respond = (state: 'accepted' | 'declined') => (value: UserId) =>
    serial(ctx, async () => {
      const user = other(value);
      const theirs = side(user, core.me);
      if (theirs !== 'requested' && theirs !== 'accepted') throw new KithError('not_found', 'no request from this user');
      if (side(core.me, user) === state) return;
      await writeSide(user, state);
    });
  const setBlocked = (value: boolean) => (userValue: UserId) =>
    serial(ctx, async () => {
      const user = other(userValue);
      if (blocked(user) === value) return;
      await writer.update(accountDocId(core.me), [{ op: 'set', collection: BLOCKS, key: user, value: { blocked: value, at: core.clock.now() } }]);
    });
  return {
    request: (value) =>
      serial(ctx, async () => {
        const user = other(value);
        const mine = side(core.me, user);
        if (mine === 'requested' || mine === 'accepted') return;
        await writeSide(user, 'requested');
      }),
    accept: respond('accepted'),
    decline: respond('declined'),
    block: setBlocked(true),
    unblock: setBlocked(false),
    get: (user) => get(other(user)),
    list() {
      const users = new Set<UserId>();
      for (const doc of core.docs.loaded()) {
        if (doc.ref.kind === 'contact') users.add(doc.ref.from === core.me ? doc.ref.to : doc.ref.from);
      }
      for (const key of core.docs.get(accountDocId(core.me))?.crdt.keys(BLOCKS) ?? []) users.add(key as UserId);
      return [...users].sort().map(get).filter((c) => c.status !== 'none' || c.blocked);
    },
  };
}
