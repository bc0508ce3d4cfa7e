/**
 * The connection to a relay. Sync code talks to the relay only through this port; the
 * implementations live in transport/websocket (browser `WebSocket` or an injected class such
 * as `ws` in Node) and transport/memory (an in-process relay, no sockets).
 *
 * Contract:
 * - `connect` starts one connection and returns at once; exactly one of `onOpen` or `onClose`
 *   follows, and after `onOpen` frames arrive through `onMessage` until `onClose` (called at most
 *   once, also after a local `close`). Handlers are never called synchronously from `connect`,
 *   `send` or `close`, and never after `onClose`.
 * - `send` after close is a silent no-op (the sync client resends what was not acknowledged).
 * - `fetch` is the relay's HTTP API (accounts, auth challenge, capabilities, blobs), with paths
 *   relative to the relay (`/v1/...`). It rejects only when the relay cannot be reached.
 */
export interface TransportHandlers {
  onOpen(): void;
  /**
   * One frame: JSON text (docs/PROTOCOL.md § Relay API), or the bytes of a binary message
   * (RLY-39..44, only on a transport with `binaryFrames`).
   */
  onMessage(data: string | Uint8Array): void;
  onClose(code: number, reason: string): void;
}

export interface TransportConnection {
  /** A string goes as a text message, bytes as a binary one. */
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type RelayFetch = (path: string, init?: RequestInit) => Promise<Response>;

export interface Transport {
  connect(handlers: TransportHandlers): TransportConnection;
  /** The transport carries binary messages both ways: the sync client asks for binary hot frames (RLY-39). */
  readonly binaryFrames?: boolean;
  readonly fetch: RelayFetch;
}
