import type { RelayFetch, Transport, TransportConnection, TransportHandlers } from '../../ports/transport.js';

/** The socket an in-process relay writes to (structurally the relay's `RelaySocket`). */
export interface InProcessSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

/** What an in-process relay returns for a socket (structurally the relay's `RelayConnection`). */
export interface InProcessConnection {
  onMessage(data: unknown): void;
  onClose(): void;
}

export interface MemoryTransportOptions {
  /** Attach a socket to the relay: `relay.connect` of `@kith/relay`'s `createTestRelay()`. */
  readonly accept: (socket: InProcessSocket) => InProcessConnection;
  /** The relay's HTTP handler: `(path, init) => app.request(path, init)`. */
  readonly fetch: RelayFetch;
}

/** Controls shared by every connection of a memory transport (tests cut the network with it). */
export interface MemoryTransport extends Transport {
  /** Refuse new connections and close the open ones (a network outage) until `setOnline(true)`. */
  setOnline(online: boolean): void;
  readonly open: number;
}

/**
 * A transport to an in-process relay: no sockets, frames delivered in order on the microtask
 * queue (never re-entrantly), so tests flush with `await` rounds instead of sleeping.
 */
export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  let online = true;
  const live = new Set<() => void>();
  const transport: MemoryTransport = {
    fetch: async (path, init) => {
      if (!online) throw new TypeError('fetch failed: offline');
      return options.fetch(path, init);
    },
    get open() {
      return live.size;
    },
    setOnline(value) {
      online = value;
      if (!value) for (const cut of [...live]) cut();
    },
    connect(handlers: TransportHandlers): TransportConnection {
      let closed = false;
      let relayConn: InProcessConnection | undefined;
      const later = (fn: () => void): void => queueMicrotask(fn);
      const finish = (code: number, reason: string): void => {
        if (closed) return;
        closed = true;
        live.delete(cut);
        const conn = relayConn;
        relayConn = undefined;
        conn?.onClose();
        later(() => handlers.onClose(code, reason));
      };
      const cut = (): void => finish(1006, 'network down');
      if (!online) {
        closed = true;
        later(() => handlers.onClose(1006, 'offline'));
        return { send: () => undefined, close: () => undefined };
      }
      live.add(cut);
      later(() => {
        if (closed) return;
        handlers.onOpen();
        relayConn = options.accept({
          send: (text) => {
            if (!closed) later(() => !closed && handlers.onMessage(text));
          },
          close: (code, reason) => finish(code, reason),
          bufferedAmount: 0,
        });
      });
      return {
        send(data) {
          if (closed) return;
          later(() => {
            if (!closed) relayConn?.onMessage(data);
          });
        },
        close(code = 1000, reason = 'client') {
          finish(code, reason);
        },
      };
    },
  };
  return transport;
}
