import type { ClusterBus } from './cluster-bus.js';
import type { CapabilityService } from './capabilities.js';

/** `onChange` listeners get this when any scope may have changed (the bus may have lost doorbells). */
export const ANY_SCOPE = '*';

/**
 * CAP-5/L2 across instances (RLY-38): a capability version stored at this instance is announced
 * on the bus, and one announced by another instance is given to this instance's listeners, so a
 * rotation at A re-checks the live subscriptions at B too. Records are always read from the
 * shared store, so B checks against the new version. When the bus reconnects after an outage
 * (doorbells may have been lost), every listener re-checks every scope (`ANY_SCOPE`).
 */
export function withClusterCapabilities(caps: CapabilityService, bus: ClusterBus): CapabilityService {
  const remote = new Set<(scope: string) => void>();
  caps.onChange((scope) => bus.announceCapability(scope));
  bus.onCapability((scope) => {
    for (const l of remote) l(scope);
  });
  bus.onResync?.(() => {
    for (const l of remote) l(ANY_SCOPE);
  });
  return {
    put: (session, body) => caps.put(session, body),
    get: (scope) => caps.get(scope),
    checkRead: (doc, token) => caps.checkRead(doc, token),
    checkWrite: (doc, token) => caps.checkWrite(doc, token),
    onChange(listener) {
      const stopLocal = caps.onChange(listener);
      remote.add(listener);
      return () => {
        stopLocal();
        remote.delete(listener);
      };
    },
  };
}
