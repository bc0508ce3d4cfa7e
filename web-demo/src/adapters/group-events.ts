import type { ConversationId, Kith, MemberInfo, UserId } from '@kith/core';
import type { SystemEntry } from './client.js';

/**
 * A group's history as system lines — created, added, joined, no longer in the group — from its
 * membership state (who added whom and when; when someone left). Role changes are not dated in
 * that state: `noteRoles` records the ones this device sees happen, while it runs.
 */
export interface GroupEvents {
  list(conversation: ConversationId): SystemEntry[];
  noteRoles(conversation: ConversationId): void;
}

export function createGroupEvents(kith: Kith, nameOf: (u: UserId) => string, now: () => number = Date.now): GroupEvents {
  const roles = new Map<ConversationId, Map<UserId, MemberInfo['role']>>();
  const seen = new Map<ConversationId, SystemEntry[]>();
  const roleOf = (c: ConversationId): Map<UserId, MemberInfo['role']> => new Map(kith.groups.members(c).map((m) => [m.user, m.role]));
  return {
    noteRoles(conversation) {
      let after: Map<UserId, MemberInfo['role']>;
      try {
        after = roleOf(conversation);
      } catch {
        return;
      }
      const before = roles.get(conversation);
      roles.set(conversation, after);
      if (before === undefined) return;
      const lines = seen.get(conversation) ?? [];
      for (const [user, role] of after) {
        const was = before.get(user);
        if (was === undefined || was === role) continue;
        const who = nameOf(user);
        const text = role === 'admin' ? `${who} ${who === 'You' ? 'are' : 'is'} now an admin` : `${who} ${who === 'You' ? 'are' : 'is'} no longer an admin`;
        lines.push({ id: `role-${user}-${lines.length}`, at: now(), text });
      }
      seen.set(conversation, lines);
    },
    list(conversation) {
      let g: ReturnType<Kith['groups']['get']>;
      try {
        g = kith.groups.get(conversation);
      } catch {
        return [];
      }
      const out: SystemEntry[] = [];
      const everyone = [...g.members, ...g.former];
      const created = everyone.find((m) => m.user === g.creator);
      if (g.creator !== null && created !== undefined) out.push({ id: `created`, at: created.joinedAt, text: `${nameOf(g.creator)} created the group` });
      for (const m of everyone) {
        if (m.user === g.creator && m === created) continue;
        const text = m.addedBy === m.user ? `${nameOf(m.user)} joined` : `${nameOf(m.addedBy)} added ${nameOf(m.user)}`;
        out.push({ id: `added-${m.user}-${m.joinedAt}`, at: m.joinedAt, text });
      }
      for (const f of g.former) if (f.leftAt !== undefined) out.push({ id: `left-${f.user}-${f.leftAt}`, at: f.leftAt, text: `${nameOf(f.user)} ${nameOf(f.user) === 'You' ? 'are' : 'is'} no longer in the group` });
      return [...out, ...(seen.get(conversation) ?? [])].sort((a, b) => a.at - b.at);
    },
  };
}
