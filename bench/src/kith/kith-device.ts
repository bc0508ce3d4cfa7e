import WebSocket from 'ws';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import {
  createCryptoRandom,
  createDecodeSandbox,
  createDeviceId,
  createIdentity,
  createIndexedDbKeyStore,
  createKith,
  createSyncClient,
  createSystemClock,
  createWebCryptoVault,
  createWebSocketTransport,
  registerAccount,
  vetWithSandbox,
  type CryptoPort,
  type Kith,
  type Storage,
  type SyncClient,
  type UserId,
  type WebSocketConstructor,
} from '@kith/core';
import { createDexieStorage } from '@kith/core/dexie';
import { createNodeWorkerHost } from '@kith/core/node';
import { createCrdtBackend } from '@kith/core/backends';

/** One device as a Node app runs it, through public entry points only. */
export interface KithDevice {
  readonly username: string;
  readonly kith: Kith;
  readonly sync: SyncClient;
  readonly storage: Storage;
  lookup(username: string): Promise<UserId>;
  close(): Promise<void>;
}

/**
 * A new account on the relay at `url` and its one device: the engine (Yjs) on Dexie over
 * fake-indexeddb, a WebCrypto vault whose key sits in IndexedDB, other people's updates vetted
 * in the decode sandbox (a worker), and the sync client over a WebSocket. Internal sync failures
 * (bugs) are collected in `errors`.
 */
export async function openKithDevice(url: string, crypto: CryptoPort, username: string, errors: string[], options: { readonly compaction?: boolean } = {}): Promise<KithDevice> {
  const relayFetch = (path: string, init?: RequestInit): Promise<Response> => fetch(`${url}${path}`, init);
  const identity = createIdentity(crypto, { device: createDeviceId(crypto) });
  const registered = await registerAccount(relayFetch, identity, username);
  if (!registered.ok) throw registered.error;
  const indexedDB = new IDBFactory();
  const clock = createSystemClock();
  const storage = await createDexieStorage({ name: `kith-${username}`, indexedDB, IDBKeyRange });
  const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `kith-${username}-vault`, indexedDB }) });
  const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock });
  const kith = await createKith({ user: identity.userId, username, device: identity.device, backend: createCrdtBackend('yjs'), clock, random: createCryptoRandom(), storage });
  const transport = createWebSocketTransport({ url, WebSocket: WebSocket as unknown as WebSocketConstructor });
  // `BENCH_MAX_BATCH=1` seals every change alone (the wire as before BATCH-9), for before/after runs.
  const maxBatch = Number(process.env['BENCH_MAX_BATCH'] ?? Number.NaN);
  const sync = await createSyncClient({
    kith, identity, crypto, transport, clock, random: createCryptoRandom(), storage, vault, vet: vetWithSandbox(sandbox, identity.userId),
    ...(options.compaction === undefined ? {} : { compaction: options.compaction }),
    ...(Number.isInteger(maxBatch) && maxBatch >= 1 ? { maxBatch } : {}),
  });
  sync.onError((e) => void errors.push(`${username} (${e.during}): ${e.error instanceof Error ? e.error.message : String(e.error)}`));
  sync.start();
  return {
    username,
    kith,
    sync,
    storage,
    async lookup(other) {
      const r = await sync.lookup(other);
      if (!r.ok) throw r.error;
      return r.value;
    },
    async close() {
      await sync.stop().catch(() => undefined);
      await kith.close().catch(() => undefined);
      sandbox.close();
    },
  };
}
