import type { UserId } from '../ids.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import type { RelayFetch } from '../ports/transport.js';
import type { Identity } from '../crypto/identity.js';
import type { KeyStore } from '../session/key-store.js';
import { claimCapability } from './relay-http.js';

/**
 * Capability scopes still to claim at the relay (SYNC-6): meta `sync/claim/<scope>` until the
 * relay stored the claim (or refused it for good: `conflict`, `forbidden`), then
 * `sync/claimed/<scope>`. Pushes wait until none is left, so an intro never names a read token
 * the relay does not know yet.
 */
export interface CapabilityClaims {
  readonly size: number;
  has(scope: string): boolean;
  /** Adds a claim in memory; returns the write that persists it. */
  add(scope: string, token: string, peer?: UserId): StorageWrite[];
  /** Adds a claim that needs no persisting (own scopes, derived again at every start). */
  addOwn(scope: string, token: string): void;
  /** Claims every pending scope with the session `token`. */
  run(fetch: RelayFetch, token: string): Promise<void>;
}

export function createCapabilityClaims(claims: Map<string, { token: string; peer?: UserId }>, storage: Storage, identity: Identity, keys: KeyStore): CapabilityClaims {
  return {
    get size() {
      return claims.size;
    },
    has: (scope) => claims.has(scope),
    add(scope, token, peer) {
      claims.set(scope, { token, ...(peer === undefined ? {} : { peer }) });
      // The read token is sealed (ADR 0012): a dump of a device with claims pending shows no token.
      return [{ type: 'putMeta', key: `sync/claim/${scope}`, value: keys.claimRecord(scope, token, peer) }];
    },
    addOwn(scope, token) {
      claims.set(scope, { token });
    },
    async run(fetch, token) {
      for (const [scope, c] of [...claims]) {
        const r = await claimCapability(fetch, token, identity, scope, c.token, c.peer);
        if (r.ok || r.error.code === 'conflict' || r.error.code === 'forbidden') {
          claims.delete(scope);
          await storage.commit([
            { type: 'deleteMeta', key: `sync/claim/${scope}` },
            { type: 'putMeta', key: `sync/claimed/${scope}`, value: true },
          ]);
        }
      }
    },
  };
}
