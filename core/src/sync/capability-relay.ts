import { fail } from '../errors.js';
import type { RelayFetch } from '../ports/transport.js';
import type { Identity } from '../crypto/identity.js';
import type { CapabilityRelay } from '../session/read-rotation.js';
import { getCapability, rotateCapability } from './relay-http.js';

/** The session layer's `CapabilityRelay` over the relay's HTTP API, with the connection's session token. */
export function createCapabilityRelay(f: RelayFetch, identity: Identity, session: () => string | undefined): CapabilityRelay {
  return {
    async get(scope) {
      const token = session();
      return token === undefined ? fail('offline', 'no session') : getCapability(f, token, scope);
    },
    async put(scope, readToken, version, controllers) {
      const token = session();
      return token === undefined ? fail('offline', 'no session') : rotateCapability(f, token, identity, scope, readToken, version, controllers);
    },
  };
}
