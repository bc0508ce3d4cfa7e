// Transports to the relay (the port is core/src/ports/transport.ts).
export { createWebSocketTransport } from './websocket/index.js';
export type { WebSocketLike, WebSocketConstructor, WebSocketTransportOptions } from './websocket/index.js';
export { createMemoryTransport } from './memory/index.js';
export type { MemoryTransport, MemoryTransportOptions, InProcessSocket, InProcessConnection } from './memory/index.js';
