// A person on a Node device (no browser): @kith/core's public entries over a real WebSocket to
// the relay, as core/examples/quickstart.ts does. The browser suite uses one to fill a chat with
// hundreds of messages far faster than typing them in a page would.
import WebSocket from 'ws';
import {
  createCryptoRandom,
  createDecodeSandbox,
  createKith,
  createMemoryStorage,
  createMemoryVault,
  createSodiumCrypto,
  createSyncClient,
  createSystemClock,
  createWebSocketTransport,
  signUp,
  vetWithSandbox,
  type Kith,
  type SyncClient,
  type UserId,
  type WebSocketConstructor,
} from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import { createNodeWorkerHost } from '@kith/core/node';

export interface NodePeer {
  readonly kith: Kith;
  readonly sync: SyncClient;
  lookup(username: string): Promise<UserId>;
  close(): Promise<void>;
}

export async function startNodePeer(relay: string, username: string, displayName: string): Promise<NodePeer> {
  const crypto = await createSodiumCrypto();
  const relayFetch = (path: string, init?: RequestInit): Promise<Response> => fetch(`${relay}${path}`, init);
  const identity = await signUp({ crypto, fetch: relayFetch, username, password: 'correct horse battery' });
  if (!identity.ok) throw new Error(`sign-up of ${username}: ${identity.error.code}`);
  const clock = createSystemClock();
  const storage = createMemoryStorage();
  const kith = await createKith({ user: identity.value.userId, username, device: identity.value.device, backend: createYjsBackend(), clock, random: createCryptoRandom(), storage });
  await kith.profile.update({ displayName });
  const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock });
  const transport = createWebSocketTransport({ url: relay, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const sync = await createSyncClient({ kith, identity: identity.value, crypto, transport, clock, random: createCryptoRandom(), storage, vault: createMemoryVault(crypto), vet: vetWithSandbox(sandbox, identity.value.userId) });
  sync.start();
  return {
    kith,
    sync,
    async lookup(name) {
      const r = await sync.lookup(name);
      if (!r.ok) throw new Error(`lookup of ${name}: ${r.error.code}`);
      return r.value;
    },
    async close() {
      await sync.stop();
      await kith.close();
      sandbox.close();
    },
  };
}
