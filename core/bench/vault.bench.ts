// Vault bench (ADR 0012): what wrapping secrets at rest costs — WebCrypto vault open and
// wrap/unwrap per call, and loading a sync KeyStore of 1,000 epoch keys + 1,000 tokens wrapped,
// plus the one-time migration of the same store written unwrapped by the previous version.
// Run: pnpm exec tsx core/bench/vault.bench.ts  (writes the 'vault' section of docs/benchmarks.md)
import { IDBFactory } from 'fake-indexeddb';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { SecretKey } from '../src/crypto/secret-key.js';
import { createSodiumCrypto } from '../src/crypto/sodium/sodium-crypto.js';
import type { UserId } from '../src/ids.js';
import type { StorageWrite } from '../src/ports/storage.js';
import { createMemoryDatabase, createMemoryStorage } from '../src/storage/memory/memory-storage.js';
import { encodeBase64 as toBase64 } from '../src/protocol/base64.js';
import { loadKeyStore } from '../src/session/key-store.js';
import { createSeededRandom } from '../src/testing/seeded-random.js';
import { createIndexedDbKeyStore, createMemoryVault, createWebCryptoVault } from '../src/vault/index.js';

const crypto = await createSodiumCrypto();
const random = createSeededRandom('vault-bench');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>, runs = 5): Promise<number> => {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
};

// 1. WebCrypto vault (fake-indexeddb key store): open, then wrap/unwrap of a 64-byte secret.
const idb = new IDBFactory();
let n = 0;
const openMs = await time(() => createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `bench-${n++}`, indexedDB: idb }) }), 9);
const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: 'bench-main', indexedDB: idb }) });
const secret = random.bytes(64);
const aad = new TextEncoder().encode('kith/v1/local/bench');
const OPS = 2000;
let t = performance.now();
const wrapped: Uint8Array[] = [];
for (let i = 0; i < OPS; i++) wrapped.push(await vault.wrap(secret, aad));
const wrapUs = ((performance.now() - t) * 1000) / OPS;
t = performance.now();
for (const w of wrapped) await vault.unwrap(w, aad);
const unwrapUs = ((performance.now() - t) * 1000) / OPS;

// 2. A KeyStore with 1,000 epoch keys, 1,000 roster keys and 1,000 scopes' tokens.
const N = 1000;
const alice = 'u_alice' as UserId;
const database = createMemoryDatabase();
const legacyDb = createMemoryDatabase();
{
  const storage = createMemoryStorage({ database });
  const keys = await loadKeyStore(crypto, storage, createMemoryVault(crypto, new Uint8Array(32).fill(1)));
  const writes: StorageWrite[] = [];
  const legacy: StorageWrite[] = [];
  for (let i = 0; i < N; i++) {
    const ek = random.bytes(32);
    const rk = random.bytes(32);
    const token = toBase64(random.bytes(24));
    writes.push(...keys.addEpochKey({ scope: `conv:${i}`, epoch: 0, removals: 0, createdAt: i, createdBy: alice, recipients: [alice] }, new SecretKey(ek)), ...keys.addRosterKey(`conv:${i}`, 0, new SecretKey(rk)), ...keys.addToken(`conv:${i}`, token));
    legacy.push(
      { type: 'putMeta', key: `sync/key/conv:${i}/0/h`, value: { scope: `conv:${i}`, epoch: 0, removals: 0, createdAt: i, createdBy: alice, recipients: [alice], k: toBase64(ek), provisional: false, historical: false } },
      { type: 'putMeta', key: `sync/roster/conv:${i}/0/r`, value: { scope: `conv:${i}`, epoch: 0, k: toBase64(rk) } },
      { type: 'putMeta', key: `sync/token/conv:${i}`, value: [token] },
    );
  }
  await storage.commit(writes);
  await createMemoryStorage({ database: legacyDb }).commit(legacy);
}
const loadMs = await time(() => loadKeyStore(crypto, createMemoryStorage({ database }), createMemoryVault(crypto, new Uint8Array(32).fill(1))));
t = performance.now();
const migrated = await loadKeyStore(crypto, createMemoryStorage({ database: legacyDb }), createMemoryVault(crypto, new Uint8Array(32).fill(2)));
const migrateMs = performance.now() - t;
const afterMs = await time(() => loadKeyStore(crypto, createMemoryStorage({ database: legacyDb }), createMemoryVault(crypto, new Uint8Array(32).fill(2))));

const md = `## Local key wrapping (ADR 0012)

| what | result |
|---|---|
| WebCrypto vault open (fake-indexeddb key store; generate + store/read the CryptoKey), median of 9 | ${openMs.toFixed(2)} ms |
| WebCrypto AES-GCM wrap / unwrap of a 64-byte secret (${OPS.toLocaleString('en-US')} sequential awaits) | ${wrapUs.toFixed(0)} µs / ${unwrapUs.toFixed(0)} µs |
| Load a KeyStore of ${N.toLocaleString('en-US')} epoch keys + ${N.toLocaleString('en-US')} roster keys + ${N.toLocaleString('en-US')} token lists, all wrapped (memory storage), median of 5 | ${loadMs.toFixed(0)} ms |
| One-time migration of the same store written unwrapped (read, re-seal, commit ${migrated.loaded.migrated.toLocaleString('en-US')} records) | ${migrateMs.toFixed(0)} ms |
| Load after migration, median of 5 | ${afterMs.toFixed(0)} ms |

The KeyStore seals with a vault-wrapped data key (XChaCha20-Poly1305 through the crypto port), so
the per-secret cost is a libsodium AEAD call; the vault itself is used once per open. Load average
while measuring: ${loadavg()[0]!.toFixed(1)} (figures on a shared 2-core machine scale with it).`;
console.log(md);
writeBenchSection('vault', md);
