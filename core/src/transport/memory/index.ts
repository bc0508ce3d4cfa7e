export { createMemoryTransport } from './memory-transport.js';
export type { MemoryTransport, MemoryTransportOptions, InProcessSocket, InProcessConnection } from './memory-transport.js';
