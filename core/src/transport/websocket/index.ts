export { createWebSocketTransport } from './websocket-transport.js';
export type { WebSocketLike, WebSocketConstructor, WebSocketTransportOptions } from './websocket-transport.js';
