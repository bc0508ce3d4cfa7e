import { describe, expect, it } from 'vitest';
import { createCrdtBackend } from '../crdt/index.js';
import { createIdentity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { isKithError } from '../errors.js';
import type { DeviceId } from '../ids.js';
import { createKith } from '../kith.js';
import type { Transport } from '../ports/transport.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock, createSeededRandom } from '../testing/index.js';
import { createMemoryVault } from '../vault/index.js';
import { createSyncClient } from './sync-client.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;
const offline: Transport = {
  connect: () => ({ send: () => undefined, close: () => undefined }),
  fetch: () => Promise.reject(new TypeError('offline')),
};

describe('H4: a Yjs-backed sync client fails closed without the decode sandbox (SYNC-15)', () => {
  it('SYNC-15: Yjs without vet → invalid_argument; with a vet, with the explicit opt-out, or on Automerge → starts', async () => {
    const crypto = await createSodiumCrypto();
    const identity = createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(5)) });
    const clock = createManualClock(1_700_000_000_000);
    const outcome = async (backend: 'yjs' | 'automerge', extra: object): Promise<string> => {
      const storage = createMemoryStorage();
      const kith = await createKith({ user: identity.userId, username: 'eve', device, backend: createCrdtBackend(backend), clock, random: createSeededRandom(`h4-${backend}`), storage });
      try {
        await createSyncClient({ kith, identity, crypto, transport: offline, clock, random: createSeededRandom('s'), storage, vault: createMemoryVault(crypto), ...extra });
        return 'started';
      } catch (e) {
        return isKithError(e) ? e.code : 'threw';
      }
    };
    const noVet = await outcome('yjs', {});
    const withVet = await outcome('yjs', { vet: () => Promise.resolve({ ok: true, value: undefined }) });
    const optOut = await outcome('yjs', { unsafeNoDecodeSandbox: true });
    const automerge = await outcome('automerge', {});
    expect([noVet, withVet, optOut, automerge]).toEqual(['invalid_argument', 'started', 'started', 'started']);
    console.log(`SYNC-15: yjs without vet=${noVet}, yjs with vet=${withVet}, yjs unsafeNoDecodeSandbox=${optOut}, automerge without vet=${automerge}`);
  });
});
