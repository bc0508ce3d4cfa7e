import type { Transport, TransportConnection } from '@kith/core';

/**
 * The user's "go offline" switch, at the transport: closing the socket and refusing new ones
 * makes the sync client see a real disconnect (it keeps queuing and retries with backoff),
 * exactly as when the network drops.
 */
export interface OfflineGate {
  readonly transport: Transport;
  readonly offline: boolean;
  setOffline(offline: boolean): void;
}

export function createOfflineGate(inner: Transport): OfflineGate {
  let offline = false;
  const live = new Set<TransportConnection>();
  const transport: Transport = {
    fetch: (path, init) => (offline ? Promise.reject(new TypeError('offline')) : inner.fetch(path, init)),
    connect(handlers) {
      if (offline) {
        queueMicrotask(() => handlers.onClose(1006, 'offline'));
        return { send: () => undefined, close: () => undefined };
      }
      const holder: { conn?: TransportConnection } = {};
      const conn = inner.connect({
        onOpen: () => handlers.onOpen(),
        onMessage: (d) => handlers.onMessage(d),
        onClose: (code, reason) => {
          if (holder.conn !== undefined) live.delete(holder.conn);
          handlers.onClose(code, reason);
        },
      });
      holder.conn = conn;
      live.add(conn);
      return conn;
    },
  };
  return {
    transport,
    get offline() {
      return offline;
    },
    setOffline(next) {
      offline = next;
      if (next) for (const c of [...live]) c.close(1000, 'offline');
    },
  };
}
