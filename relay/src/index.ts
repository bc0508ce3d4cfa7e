// @kith/relay — the public API: a reviewed list of named exports.
export { createRelayApp } from './app.js';
export type { RelayApp, RelayAppDeps } from './app.js';
export { createRelay, systemClock } from './relay.js';
export type { Relay, RelayDeps } from './relay.js';
export { DEFAULT_RELAY_LIMITS } from './config.js';
export type { RelayLimits } from './config.js';
export { startNodeRelay } from './server/node.js';
export type { NodeRelayOptions, RunningRelay } from './server/node.js';
// The relay entry (src/main.ts) as a child process on a free port: for tests and tools that need
// a real process (SIGKILL, real sockets, SQLite on disk) — test/'s child-relay host uses it.
export { startChildRelay } from './server/child-relay.js';
export type { ChildRelay } from './server/child-relay.js';
export { createMemoryRelayStore } from './store/memory/index.js';
export { createSqliteRelayStore } from './store/sqlite/index.js';
export type { SqliteStoreOptions } from './store/sqlite/index.js';
export type {
  RelayStore,
  DocLogStore,
  BlobStore,
  AccountStore,
  AppendRequest,
  AppendOutcome,
  LogEntry,
  BlobMeta,
  BlobPutOptions,
  BlobPutOutcome,
  AccountRecord,
  SessionRecord,
  BackupRecord,
  CapabilityRecord,
} from './store/ports.js';
export { createJsonLogger, createMemoryLogger } from './ops/logger.js';
export type { Logger, LogLevel, LogFields } from './ops/logger.js';
export type { RelayMetrics } from './ops/metrics.js';
export type { RelaySocket, RelayConnection } from './ws/socket.js';
export { CLOSE_CODES } from './ws/socket.js';
export { documentOwner } from './services/capabilities.js';
