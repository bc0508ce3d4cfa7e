import type { GroupInfo } from '@kith/core';

/**
 * The monotone size of a group as one peer shows it, for the "nothing goes back" oracle.
 *
 * `members + former` alone is not monotone: by MEM-6 (removal wins) an admin's `add` that is not
 * in the causal past of the op ending that admin's adminship is vetoed once that op arrives, and
 * the added user — a member until then — vanishes without ever becoming former (convergence seed
 * automerge-861848552: bob added dave while alice, concurrently, removed bob; bob then showed
 * dave, and then neither dave nor a former dave). A user who vanishes while the admin who added
 * them is no longer an admin is such a veto: it stays counted (for good, so the figure cannot dip
 * if that admin is made admin again). Any other user who vanishes is a real regression.
 */
export interface MembershipExtent {
  /** The figure for `key` (one peer, one group) after this observation. */
  observe(key: string, group: Pick<GroupInfo, 'members' | 'former'>): number;
}

export function createMembershipExtent(): MembershipExtent {
  /** Per key: each user last shown, with who added them. */
  const shown = new Map<string, Map<string, string>>();
  /** Per key: users excused as vetoed adds. */
  const vetoed = new Map<string, Set<string>>();
  return {
    observe(key, group) {
      const now = new Map<string, string>();
      for (const m of [...group.members, ...group.former]) now.set(m.user, m.addedBy);
      const admins = new Set<string>(group.members.filter((m) => m.role === 'admin').map((m) => m.user));
      const excused = vetoed.get(key) ?? new Set<string>();
      for (const [user, addedBy] of shown.get(key) ?? []) {
        if (!now.has(user) && !admins.has(addedBy)) excused.add(user);
      }
      vetoed.set(key, excused);
      shown.set(key, now);
      return new Set([...now.keys(), ...excused]).size;
    },
  };
}
