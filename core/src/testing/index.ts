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
// The sync harness: N real engines + sync clients against an injected relay (test/ passes
// @kith/relay's in-process relay or a child process), with per-link faults (docs/testing.md).
export { createSyncHarness } from './sync-harness.js';
export type { SyncHarness, SyncHarnessOptions, SyncPeer, FlushOptions, FlushUntil } from './sync-harness-types.js';
export type { RelayHost } from './relay-host.js';
export { createMemoryDevices } from './harness-device.js';
export type { HarnessDevice, DeviceContext, OpenDevice } from './harness-device.js';
export type { PeerTransport } from './peer-transport.js';
export { NO_FAULTS } from './fault-link.js';
export type { FaultLink, LinkFaults, FaultCounters } from './fault-link.js';
export { lookupAll } from './lookup-all.js';
// Test-only internals for the local-secrets suite (ADR 0012): the secrets a device derives and
// the vault data key its sync key store seals with, so a dump of its database can be searched for
// every one of them.
export { deriveOwnSecrets } from '../session/own-secrets.js';
export type { OwnSecrets } from '../session/own-secrets.js';
export { SYNC_DATA_KEY } from '../session/key-store.js';
export { openDataKey } from '../vault/index.js';
export type { DataKey } from '../vault/index.js';
// Hostile-peer and raw-socket tests: crafting what a real client never sends (an envelope
// signed over chosen bytes, an intro planting a token), and a session token for a socket opened
// by hand. (Frames and their strict parsers are public: @kith/core/protocol.)
export { signEnvelope } from '../crypto/envelope-seal.js';
export { deviceIdToBytes } from '../crypto/identity.js';
export { sealIntro } from '../session/intro.js';
export { login } from '../sync/relay-http.js';
// Bounds the suites fill to the brim (each is pinned by a test that sends one more).
/** H3: envelopes parked per (document, author) while their key is unknown. */
export { MAX_PARKED_PER_AUTHOR } from '../sync/inbound-applier.js';
/** M1: membership logs waiting for their `create` before the engine answers rate_limited. */
export { MAX_UNCREATED_GROUPS } from '../engine/inbound.js';
/** KEY-6c: a conversation's message count is persisted every this many messages. */
export { VOLUME_PERSIST_EVERY } from '../session/group-keys.js';
/** Epoch keys one grant envelope carries (4 KiB); a longer history takes several. */
export { MAX_KEYS_PER_GRANT } from '../session/group-keys.js';
