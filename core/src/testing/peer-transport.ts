import { createMemoryTransport } from '../index.js';
import type { MemoryTransport, Transport, TransportConnection, TransportHandlers } from '../index.js';
import type { FaultLink } from './fault-link.js';
import type { RelayHost } from './relay-host.js';

/** One peer's way to the relay: a network switch, and a gate that holds frames back at the peer. */
export interface PeerTransport extends MemoryTransport {
  /** Holds back, at the peer, every relay frame about a document matching `docs` (the relay still
   *  stores and sends them) until `release`: e.g. an inbox that arrives late. */
  hold(docs: (doc: string) => boolean): void;
  /** Delivers what `hold` kept, in order, and stops holding. */
  release(): void;
}

const docOf = (data: string): string | undefined => {
  try {
    const f = JSON.parse(data) as { doc?: unknown };
    return typeof f.doc === 'string' ? f.doc : undefined;
  } catch {
    return undefined;
  }
};

/**
 * An in-process relay: a memory transport whose sockets pass the peer's fault link. An external
 * relay: its real transport behind a switch (offline refuses new connections and cuts open ones).
 */
export function createPeerTransport(relay: RelayHost, link: FaultLink): PeerTransport {
  const inner = relay.kind === 'in-process' ? createMemoryTransport({ accept: (s) => link.accept(s, (w) => relay.accept(w)), fetch: relay.fetch }) : createSwitchedTransport(relay.transport);
  let gate: { match: (doc: string) => boolean; held: Array<() => void> } | undefined;
  return {
    get open() {
      return inner.open;
    },
    setOnline: (online) => inner.setOnline(online),
    fetch: (path, init) => inner.fetch(path, init),
    connect: (handlers) =>
      inner.connect({
        ...handlers,
        onMessage(data) {
          const g = gate;
          const doc = g === undefined || typeof data !== 'string' ? undefined : docOf(data);
          if (g !== undefined && doc !== undefined && g.match(doc)) g.held.push(() => handlers.onMessage(data));
          else handlers.onMessage(data);
        },
      }),
    hold(docs) {
      gate = { match: docs, held: [] };
    },
    release() {
      const g = gate;
      gate = undefined;
      for (const deliver of g?.held ?? []) deliver();
    },
  };
}

/** A real transport with an off switch: like a memory transport's `setOnline`, for real sockets. */
export function createSwitchedTransport(real: Transport): MemoryTransport {
  let online = true;
  const live = new Set<() => void>();
  return {
    get open() {
      return live.size;
    },
    setOnline(value) {
      online = value;
      if (!value) for (const cut of [...live]) cut();
    },
    fetch: async (path, init) => {
      if (!online) throw new TypeError('fetch failed: offline');
      return real.fetch(path, init);
    },
    connect(handlers: TransportHandlers): TransportConnection {
      if (!online) {
        queueMicrotask(() => handlers.onClose(1006, 'offline'));
        return { send: () => undefined, close: () => undefined };
      }
      let closed = false;
      const finish = (code: number, reason: string): void => {
        if (closed) return;
        closed = true;
        live.delete(cut);
        handlers.onClose(code, reason);
      };
      const conn = real.connect({
        onOpen: () => !closed && handlers.onOpen(),
        onMessage: (data) => !closed && handlers.onMessage(data),
        onClose: finish,
      });
      const cut = (): void => {
        if (closed) return;
        closed = true;
        live.delete(cut);
        conn.close(1000, 'network down');
        queueMicrotask(() => handlers.onClose(1006, 'network down'));
      };
      live.add(cut);
      return { send: (data) => !closed && conn.send(data), close: (code, reason) => conn.close(code, reason) };
    },
  };
}
