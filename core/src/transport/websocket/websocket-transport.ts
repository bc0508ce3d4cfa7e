import type { RelayFetch, Transport, TransportConnection, TransportHandlers } from '../../ports/transport.js';

/** The part of the WHATWG `WebSocket` this transport uses (browsers, Node's `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  /** Set to `arraybuffer` so binary messages arrive as bytes (a browser's default is `blob`). */
  binaryType?: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** The relay's base URL, `http(s)://host:port`; the socket goes to `ws(s)://…/v1/ws`. */
  readonly url: string;
  /** Defaults to `globalThis.WebSocket`; pass `ws`'s class in Node 20. */
  readonly WebSocket?: WebSocketConstructor;
  /** Defaults to `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

const OPEN = 1;

/** A transport over a real WebSocket plus HTTP `fetch` to the same relay. */
export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const base = options.url.replace(/\/+$/, '');
  const Ctor = options.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
  const doFetch = options.fetch ?? globalThis.fetch;
  const wsUrl = `${base.replace(/^http/, 'ws')}/v1/ws`;
  const relayFetch: RelayFetch = (path, init) => doFetch(`${base}${path}`, init);
  return {
    fetch: relayFetch,
    binaryFrames: true,
    connect(handlers: TransportHandlers): TransportConnection {
      let done = false;
      const finish = (code: number, reason: string): void => {
        if (done) return;
        done = true;
        handlers.onClose(code, reason);
      };
      if (Ctor === undefined) {
        queueMicrotask(() => finish(1006, 'no WebSocket implementation'));
        return { send: () => undefined, close: () => undefined };
      }
      let socket: WebSocketLike;
      try {
        socket = new Ctor(wsUrl);
      } catch {
        queueMicrotask(() => finish(1006, 'connect failed'));
        return { send: () => undefined, close: () => undefined };
      }
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        if (!done) handlers.onOpen();
      };
      socket.onmessage = (event) => {
        if (done) return;
        const data = event.data;
        if (typeof data === 'string') handlers.onMessage(data);
        else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
          // A binary message (RLY-39..44) stays bytes.
          handlers.onMessage(data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        }
      };
      socket.onclose = (event) => finish(event.code, event.reason);
      socket.onerror = () => undefined;
      return {
        send(data) {
          if (!done && socket.readyState === OPEN) socket.send(data);
        },
        close(code = 1000, reason = 'client') {
          try {
            socket.close(code, reason);
          } catch {
            // already closing
          }
          queueMicrotask(() => finish(code, reason));
        },
      };
    },
  };
}
