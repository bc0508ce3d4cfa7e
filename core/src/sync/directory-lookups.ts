import { ok, type Result } from '../errors.js';
import type { UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Storage } from '../ports/storage.js';
import type { RelayFetch } from '../ports/transport.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { KeyStore } from '../session/key-store.js';
import { lookupAccount } from './relay-http.js';
import type { SecureSession } from '../session/secure-session.js';

/**
 * Users found in the relay's directory (C1, SYNC-10): only the signed public identity is
 * trusted, pinned per username (TOFU); a changed signing key is listed in `keyChanges()` and
 * trusted only after `acceptKeyChange`. `resolveUnknown` looks up, by the username in their
 * profile, the people the session still needs a box key for (intros and key envelopes waiting).
 */
export interface DirectoryLookups {
  lookup(username: string): Promise<Result<UserId>>;
  acceptKeyChange(username: string): Promise<Result<UserId>>;
  keyChanges(): readonly { readonly username: string; readonly user: UserId }[];
  resolveUnknown(): Promise<void>;
}

export function createDirectoryLookups(deps: { crypto: CryptoPort; fetch: RelayFetch; keys: KeyStore; storage: Storage; engine: EngineLink; session: SecureSession; me: UserId }): DirectoryLookups {
  const { crypto, fetch, keys, storage, engine, session, me } = deps;
  const keyChanges: { username: string; user: UserId }[] = [];
  return {
    async lookup(username) {
      const r = await lookupAccount(fetch, crypto, username);
      if (!r.ok) return r;
      const writes = keys.observeUser(username, r.value.identity);
      if (!writes.ok) {
        if (!keyChanges.some((k) => k.username === username)) keyChanges.push({ username, user: r.value.userId });
        return writes;
      }
      if (writes.value.length > 0) await storage.commit(writes.value);
      return ok(r.value.userId);
    },
    keyChanges: () => [...keyChanges],
    async acceptKeyChange(username) {
      const r = await lookupAccount(fetch, crypto, username);
      if (!r.ok) return r;
      await storage.commit(keys.acceptKeyChange(username, r.value.identity));
      for (let i = keyChanges.length - 1; i >= 0; i--) if (keyChanges[i]?.username === username) keyChanges.splice(i, 1);
      return ok(r.value.userId);
    },
    async resolveUnknown() {
      const unknown = [...session.groupKeys.unknownUsers(), ...session.book.waiting()].filter((u) => u !== me && keys.user(u) === undefined);
      let learnt = false;
      for (const u of new Set(unknown)) {
        const name = engine.profile.get(u).username;
        if (name === '' || name === undefined) continue;
        const r = await lookupAccount(fetch, crypto, name);
        if (!r.ok || r.value.userId !== u) continue;
        const writes = keys.observeUser(name, r.value.identity);
        if (!writes.ok) {
          keyChanges.push({ username: name, user: u });
          continue;
        }
        await storage.commit(writes.value);
        learnt = true;
      }
      if (learnt) await session.replan();
    },
  };
}
