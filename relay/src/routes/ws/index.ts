import { Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { Relay } from '../../relay.js';
import type { RelayConnection, RelaySocket } from '../../ws/socket.js';
import type { RelayEnv } from '../http.js';

/** Adapts Hono's WSContext to the relay's minimal socket. */
function toRelaySocket(ws: WSContext<unknown>): RelaySocket {
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      const raw = ws.raw as { bufferedAmount?: number } | undefined;
      return raw?.bufferedAmount ?? 0;
    },
  };
}

/** `GET /v1/ws`: the WebSocket endpoint (frames in docs/PROTOCOL.md § Relay API). */
export function createWebSocketRoutes(relay: Relay, upgradeWebSocket: UpgradeWebSocket<unknown>): Hono<RelayEnv> {
  return new Hono<RelayEnv>().get(
    '/v1/ws',
    upgradeWebSocket(() => {
      let conn: RelayConnection | undefined;
      return {
        onOpen(_event, ws) {
          conn = relay.connect(toRelaySocket(ws));
        },
        onMessage(event) {
          conn?.onMessage(event.data);
        },
        onClose() {
          conn?.onClose();
        },
        onError() {
          conn?.onClose();
        },
      };
    }),
  );
}
