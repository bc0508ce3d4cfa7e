import type { ConversationId, UserId } from '../../ids.js';
import type { Role } from '../../model/membership/member-op.js';
import type { MemberInfo } from '../../model/membership/membership-rules.js';
import type { ApiContext } from './context.js';
import type { Profile, ProfileSource } from '../../model/profile.js';
import { KithError } from '../../errors.js';
import { parseUserId } from '../../ids.js';
import { groupConversationId } from '../../model/membership/group-conversation-id.js';
import { expectConversation, serial } from './context.js';
import { contiguousCutoff } from '../feed-policy.js';
import { sharedDocsOf } from '../../docs/shared-doc-store.js';
import { feedDocId } from '../../model/doc-ids.js';

export interface GroupInfo {
  readonly id: ConversationId;
  readonly name: string;
  readonly description: string;
  readonly icon: string | null;
  readonly creator: UserId | null;
  readonly members: readonly MemberInfo[];
  readonly former: readonly MemberInfo[];
}
/**
 * A current member with the name she is shown under (DIR-4): from her profile document when she
 * is my contact (`source` 'contact'), else from her own card in this group's log ('member').
 */
export interface GroupMember extends MemberInfo {
  readonly displayName: string;
  readonly username: string;
  readonly source: ProfileSource;
}
export interface CreateGroupOptions {
  readonly name: string;
  readonly description?: string;
  readonly icon?: string | null;
  /** The other initial members (the creator is the first admin). */
  readonly members?: readonly UserId[];
}

export interface GroupsApi {
  create(options: CreateGroupOptions): Promise<GroupInfo>;
  addMember(conversation: ConversationId, user: UserId, role?: Role): Promise<void>;
  removeMember(conversation: ConversationId, user: UserId): Promise<void>;
  setRole(conversation: ConversationId, user: UserId, role: Role): Promise<void>;
  leave(conversation: ConversationId): Promise<void>;
  update(conversation: ConversationId, info: { name?: string; description?: string; icon?: string | null }): Promise<GroupInfo>;
  /** Current members with their roles and names (DIR-4), by user id. */
  members(conversation: ConversationId): GroupMember[];
  get(conversation: ConversationId): GroupInfo;
}

const byUser = (a: MemberInfo, b: MemberInfo): number => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0);

export function createGroupsApi(ctx: ApiContext, profileOf: (user: UserId) => Profile): GroupsApi {
  const { core, writer, loader } = ctx;
  let lastAt = 0;
  /** A strictly increasing `at` (group ids derive from it: MEM-0). */
  const nextAt = (): number => (lastAt = Math.max(Math.floor(core.clock.now()), lastAt + 1));
  const expectGroup = (value: unknown) => {
    const conv = expectConversation(ctx, value);
    if (conv.kind !== 'group') throw new KithError('invalid_argument', 'not a group conversation');
    return conv;
  };
  /** The departure cutoff for `user`'s feed changes I accepted (M2: contiguous watermark per chunk and device). */
  const cutoffOf = async (id: ConversationId, user: UserId): Promise<Record<string, number>> => {
    const accepted = new Map<string, Set<number>>();
    // Chunk by chunk: a chunk read here may leave memory while the next one loads (ADR 0019).
    for (const n of core.docs.feedChunks(id).get(user) ?? []) {
      const doc = await loader.ensure(feedDocId(id, user, n));
      if (doc === undefined) continue;
      for (const rec of doc.records) {
        if (!rec.applied) continue;
        const key = `${doc.id}|${rec.change.device}`;
        let set = accepted.get(key);
        if (set === undefined) accepted.set(key, (set = new Set()));
        set.add(rec.change.counter);
      }
    }
    // DOC-4: and the shared documents' changes, so a departure cuts those the same way (M2).
    for (const [key, counters] of sharedDocsOf(core).accepted(id, user)) accepted.set(key, counters);
    return contiguousCutoff(accepted);
  };
  const get = (value: ConversationId): GroupInfo => {
    const { id, state } = expectGroup(value);
    return {
      id,
      name: state.name,
      description: state.description,
      icon: state.icon,
      creator: state.creator,
      members: [...state.members.values()].sort(byUser),
      former: [...state.former.values()].sort(byUser),
    };
  };
  const role = (value: unknown): Role => {
    if (value !== 'admin' && value !== 'member') throw new KithError('invalid_argument', 'role is admin or member');
    return value;
  };
  return {
    create: (options) =>
      serial(ctx, async () => {
        const others = [...new Set((options.members ?? []).map(parseUserId))].filter((u) => u !== core.me);
        const at = nextAt();
        const id = groupConversationId(core.me, at);
        await writer.memberOp(
          id,
          {
            type: 'create',
            name: options.name,
            description: options.description ?? '',
            icon: options.icon ?? null,
            members: others.map((user) => ({ user, role: 'member' as const })),
          },
          at,
        );
        return get(id);
      }),
    addMember: (conversation, user, r = 'member') =>
      serial(ctx, async () => {
        const { id } = expectGroup(conversation);
        await writer.memberOp(id, { type: 'add', user: parseUserId(user), role: role(r) }, nextAt());
      }),
    removeMember: (conversation, userValue) =>
      serial(ctx, async () => {
        const { id, state } = expectGroup(conversation);
        const user = parseUserId(userValue);
        if (!state.members.has(core.me)) throw new KithError('not_a_member', 'you are not a member of this group');
        if (state.members.get(core.me)?.role !== 'admin') throw new KithError('not_an_admin', 'only admins remove members');
        const cutoff = await cutoffOf(id, user);
        // Also the removed member's membership ops I hold (contiguously), so its ops made before
        // the removal still open at peers that learn of the removal first (AUTH-2).
        for (const s of core.groups.get(id)?.seen.contiguous(user) ?? []) {
          if (s.contiguous > 0) cutoff[`members:${id}|${s.device}`] = s.contiguous;
        }
        await writer.memberOp(id, { type: 'remove', user, cutoff }, nextAt());
      }),
    setRole: (conversation, user, r) =>
      serial(ctx, async () => {
        const { id } = expectGroup(conversation);
        await writer.memberOp(id, { type: 'role', user: parseUserId(user), role: role(r) }, nextAt());
      }),
    leave: (conversation) =>
      serial(ctx, async () => {
        const { id } = expectGroup(conversation);
        // H2: a leave carries the leaver's own cutoffs, so every peer (and the crypto layer)
        // accepts the same changes of theirs whatever the delivery order.
        const cutoff = await cutoffOf(id, core.me);
        const slot = core.groups.get(id);
        // Also this device's membership ops before the leave (it is the next counter there).
        if (slot !== undefined) cutoff[`members:${id}|${core.device}`] = slot.seen.max(core.me, core.device) + 1;
        await writer.memberOp(id, { type: 'leave', cutoff }, nextAt());
      }),
    update: (conversation, info) =>
      serial(ctx, async () => {
        const { id } = expectGroup(conversation);
        const body: { type: 'info'; name?: string; description?: string; icon?: string | null } = { type: 'info' };
        if (info.name !== undefined) body.name = info.name;
        if (info.description !== undefined) body.description = info.description;
        if (info.icon !== undefined) body.icon = info.icon;
        await writer.memberOp(id, body, nextAt());
        return get(id);
      }),
    members: (conversation) =>
      [...expectGroup(conversation).state.members.values()].sort(byUser).map((m) => {
        const p = profileOf(m.user);
        return { ...m, displayName: p.displayName, username: p.username, source: p.source };
      }),
    get,
  };
}
