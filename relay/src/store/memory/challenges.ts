import type { ChallengeStore, PendingChallenge } from '../ports.js';

/**
 * SES-1 challenges in process memory: the default for a single relay (SQLite, memory stores).
 * Insertion order is expiry order (constant TTL, monotonic clock), so expired ones sit at the
 * front and are dropped before each issue; unexpired ones are never evicted (L3).
 */
export function createMemoryChallengeStore(): ChallengeStore {
  const challenges = new Map<string, PendingChallenge>();
  const perAddress = new Map<string, number>();
  const forget = (nonce: string): PendingChallenge | undefined => {
    const c = challenges.get(nonce);
    if (c === undefined) return undefined;
    challenges.delete(nonce);
    const n = (perAddress.get(c.address) ?? 1) - 1;
    if (n > 0) perAddress.set(c.address, n);
    else perAddress.delete(c.address);
    return c;
  };
  return {
    issue(c, now, maxTotal, maxPerAddress) {
      for (const [k, old] of challenges) {
        if (old.expiresAt > now) break;
        forget(k);
      }
      if (challenges.size >= maxTotal) return Promise.resolve('full');
      if ((perAddress.get(c.address) ?? 0) >= maxPerAddress) return Promise.resolve('address_full');
      challenges.set(c.nonce, c);
      perAddress.set(c.address, (perAddress.get(c.address) ?? 0) + 1);
      return Promise.resolve('issued');
    },
    take(nonce) {
      return Promise.resolve(forget(nonce));
    },
  };
}
