// @kith/relay/testing — helpers to drive a relay in tests (core's sync tests may use them too).
export { createTestIdentity, signTestEnvelope } from './identity.js';
export type { TestIdentity, TestEnvelopeInput } from './identity.js';
export { registerAndLogin, login, grantCapability, registrationBody, sha256 } from './client.js';
export type { RelayFetch } from './client.js';
export { openTestSocket, settle } from './socket-pair.js';
export type { TestSocketClient } from './socket-pair.js';
export { runRelayStoreConformance } from '../store/conformance.js';
export { createTestRelay } from './fixture.js';
export type { TestRelay } from './fixture.js';
export { startLocalCluster } from '../server/local-cluster.js';
export type { LocalCluster, LocalClusterInstance, LocalClusterOptions } from '../server/local-cluster.js';
export { startTestPostgres, postgresUnavailable } from './postgres-server.js';
export type { TestPostgres } from './postgres-server.js';
export { startTestRedis, redisUnavailable } from './redis-server.js';
export type { TestRedis } from './redis-server.js';
