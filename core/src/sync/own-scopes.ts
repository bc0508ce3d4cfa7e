import type { UserId } from '../ids.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import { capabilityScopeOf } from '../protocol/relay-signing.js';
import type { KeyStore } from '../session/key-store.js';
import type { SecureSession } from '../session/secure-session.js';
import type { CapabilityClaims } from './capability-claims.js';

/**
 * This account's own scopes (SYNC-3): the read tokens derived from the key bundle for its
 * account, profile and inbox, kept in the key store and claimed at the relay once per account
 * (`sync/claimed/<scope>` remembers it).
 */
export async function claimOwnScopes(me: UserId, session: SecureSession, keys: KeyStore, claims: CapabilityClaims, storage: Storage): Promise<void> {
  const writes: StorageWrite[] = [];
  const own: Array<[string, string]> = [
    [`account:${me}`, session.own.accountToken],
    [`profile:${me}`, session.own.profileToken],
    [capabilityScopeOf(session.inbox), session.own.inboxToken],
  ];
  const done = new Set((await storage.listMeta('sync/claimed/')).map(([k]) => k.slice('sync/claimed/'.length)));
  for (const [scope, t] of own) {
    writes.push(...keys.addToken(scope, t));
    if (!done.has(scope) && !claims.has(scope)) claims.addOwn(scope, t);
  }
  if (writes.length > 0) await storage.commit(writes);
}
