import { fail, ok, type Result } from '../errors.js';
import type { UserId } from '../ids.js';
import type { PublicIdentity } from './identity.js';
import { bytesEqual } from './secret-key.js';

export type KeyObservation = 'new' | 'same' | 'box_key_rotated';

export interface KnownContact {
  readonly username: string;
  readonly identity: PublicIdentity;
  /** The user compared safety numbers out of band. */
  readonly verified: boolean;
}

/**
 * Trust on first use (KEY-2): the first identity seen for a username is pinned. A different
 * signing key for a known username is `key_changed` and is NOT stored — the app must show it
 * and the user accept it (`acceptChange`), which also clears `verified`. A new box key signed
 * by the same signing key is a legitimate rotation and is recorded.
 * Identities must be verified (`verifyPublicIdentity`) before they are observed.
 */
export interface KeyDirectory {
  observe(username: string, identity: PublicIdentity): Result<KeyObservation>;
  acceptChange(username: string, identity: PublicIdentity): void;
  markVerified(username: string): Result<void>;
  get(username: string): KnownContact | undefined;
  byUser(user: UserId): KnownContact | undefined;
  entries(): KnownContact[];
}

export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

export function createKeyDirectory(initial: readonly KnownContact[] = []): KeyDirectory {
  const byName = new Map<string, KnownContact>();
  const byId = new Map<UserId, KnownContact>();
  const put = (c: KnownContact): void => {
    const old = byName.get(c.username);
    if (old !== undefined) byId.delete(old.identity.userId);
    byName.set(c.username, c);
    byId.set(c.identity.userId, c);
  };
  for (const c of initial) put({ ...c, username: normalizeUsername(c.username) });
  return {
    observe(username, identity) {
      const name = normalizeUsername(username);
      const known = byName.get(name);
      if (known === undefined) {
        put({ username: name, identity, verified: false });
        return ok('new');
      }
      if (!bytesEqual(known.identity.signingKey, identity.signingKey)) {
        return fail('key_changed', 'the signing key of a known contact changed; confirm before trusting it');
      }
      if (!bytesEqual(known.identity.boxKey, identity.boxKey)) {
        put({ ...known, identity });
        return ok('box_key_rotated');
      }
      return ok('same');
    },
    acceptChange(username, identity) {
      put({ username: normalizeUsername(username), identity, verified: false });
    },
    markVerified(username) {
      const known = byName.get(normalizeUsername(username));
      if (known === undefined) return fail('not_found', 'unknown contact');
      put({ ...known, verified: true });
      return ok(undefined);
    },
    get: (username) => byName.get(normalizeUsername(username)),
    byUser: (user) => byId.get(user),
    entries: () => [...byName.values()].sort((a, b) => (a.username < b.username ? -1 : 1)),
  };
}
