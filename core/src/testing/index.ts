// @kith/core/testing — deterministic test harness: seeded randomness, a manual clock, the
// simulated network and traces. Nothing here imports a test runner; the conformance suites
// (which need vitest) live in the separate entry point @kith/core/conformance.
export { createSeededRandom, seedFromEnv } from './seeded-random.js';
export type { SeededRandom } from './seeded-random.js';
export { createManualClock, DEFAULT_MANUAL_CLOCK_START } from './manual-clock.js';
export type { ManualClock } from './manual-clock.js';
export { createSimNetwork, DEFAULT_FLUSH_MAX_STEPS } from './sim-network.js';
export type { SimNetwork, SimNetworkOptions, SimFaults, SimStats, SimTamper } from './sim-network-types.js';
export { createTrace, DEFAULT_TRACE_LIMIT } from './trace.js';
export type { Trace } from './trace.js';
export { fuzzBudgetMs, withSeed, DEFAULT_FUZZ_BUDGET_MS, CI_FUZZ_BUDGET_MS } from './fuzz-env.js';
export { settle } from './settle.js';
export type { Flushable, SettleOptions, SettleResult } from './settle.js';
export { createFaultyStorage } from './faulty-storage.js';
export type { FaultyStorage, FaultyStorageOptions } from './faulty-storage.js';
export { createHostileCorpus } from '../sandbox/hostile-corpus.js';
export type { HostileCorpus, CorpusItem, CorpusKind } from '../sandbox/hostile-corpus.js';
export { createPeerHarness } from './peer-harness.js';
export type { PeerHarness, PeerHarnessOptions, HarnessPeer, PeerSpec } from './peer-harness.js';
export { createMemoryHub, describeHubFrame, INBOX } from './memory-hub.js';
export type { MemoryHub, HubFrame } from './memory-hub.js';
export { snapshotConversation, snapshotKith, expectKithError } from './domain-snapshot.js';
export type { ConversationSnapshot } from './domain-snapshot.js';
export { dumpIndexedDb, countSecretHits } from './secret-scan.js';
export { gcFloodUpdateV2 } from '../sandbox/crafted-updates.js';
