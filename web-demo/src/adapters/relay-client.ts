// The one file that wires the SDK: accounts, engine + Dexie, sync client + WebSocket transport,
// and the decode sandbox that vets other users' updates. Every name comes from @kith/core's entries.
import {
  createCryptoRandom,
  createDecodeSandbox,
  createIndexedDbKeyStore,
  createKith,
  createSodiumCrypto,
  createSyncClient,
  createSystemClock,
  createWebCryptoVault,
  createWebSocketTransport,
  createWebWorkerHost,
  loadIdentity,
  logIn,
  saveIdentity,
  signUp,
  vetWithSandbox,
} from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import type { CryptoPort, Identity } from '@kith/core';
import { createDexieStorage } from '@kith/core/dexie';
// Vite bundles the decode worker with its own copy of yjs (`?worker&url`), in dev and in
// `vite build`; core's default worker URL would be inlined by the build with a bare `yjs` import.
import decodeWorkerUrl from '@kith/core/sandbox-worker?worker&url';
import { createDemoClient } from './demo-client.js';
import { createOfflineGate, type OfflineGate } from './offline-gate.js';
import { createProgressTransport, type ProgressTransport } from './upload-progress.js';
import type { ClientFactory, DemoClient, SignUpInput } from './client.js';

// Which account this profile uses (no secrets): the key bundle itself lives in the account's
// IndexedDB database, written by saveIdentity and read back by loadIdentity.
const ACCOUNT_KEY = 'kith-demo/account';

interface SavedAccount {
  relay: string;
  username: string;
  displayName: string;
  user: string;
  device: string;
}

const dbName = (user: string, device: string): string => `kith-${user}-${device}`;

type Session = { crypto: CryptoPort; gate: OfflineGate; uploads: ProgressTransport };

async function session(relay: string): Promise<Session> {
  const crypto = await createSodiumCrypto();
  // Blob uploads report bytes sent (XMLHttpRequest); the offline switch sits outside both.
  const uploads = createProgressTransport(createWebSocketTransport({ url: relay }), relay);
  return { crypto, gate: createOfflineGate(uploads.transport), uploads };
}

async function open(s: Session, saved: SavedAccount, identity: Identity | null): Promise<DemoClient> {
  const { crypto, gate, uploads } = s;
  const transport = gate.transport;
  const storage = await createDexieStorage({ name: dbName(saved.user, saved.device) });
  // Secrets at rest are wrapped by a non-extractable WebCrypto key kept in its own database (ADR 0012).
  const vault = await createWebCryptoVault({ keyStore: createIndexedDbKeyStore({ name: `${dbName(saved.user, saved.device)}-vault` }) });
  let id = identity;
  if (id === null) {
    const loaded = await loadIdentity(crypto, storage, vault);
    id = loaded.ok ? (loaded.value ?? null) : null;
    if (id === null) {
      localStorage.removeItem(ACCOUNT_KEY);
      throw new Error('This browser no longer holds the account keys. Log in with your password.');
    }
  } else await saveIdentity(storage, id, vault);
  localStorage.setItem(ACCOUNT_KEY, JSON.stringify(saved));
  const clock = createSystemClock();
  const kith = await createKith({
    user: id.userId,
    username: saved.username,
    device: id.device,
    backend: createYjsBackend(),
    clock,
    random: createCryptoRandom(),
    storage,
  });
  if (saved.displayName !== '' && kith.profile.get().displayName !== saved.displayName) await kith.profile.update({ displayName: saved.displayName });
  // Every update from another device is decoded first in a Web Worker (time budget, quarantine).
  const sandbox = createDecodeSandbox({ host: createWebWorkerHost(new URL(decodeWorkerUrl, location.href)), clock });
  const vet = vetWithSandbox(sandbox, id.userId);
  const sync = await createSyncClient({ kith, identity: id, crypto, transport, clock, random: createCryptoRandom(), storage, vault, vet });
  sync.start();
  return createDemoClient({ kith, sync, account: saved, gate, uploads, sandbox, projectionDb: `${dbName(saved.user, saved.device)}-projection`, forget: () => localStorage.removeItem(ACCOUNT_KEY) });
}

const accountError = (code: string, what: string): Error =>
  new Error(
    code === 'conflict'
      ? 'That username is taken.'
      : code === 'wrong_password'
        ? 'Wrong username or password.'
        : code === 'not_found'
          ? 'No account with that username at this relay.'
          : `${what} failed (${code}).`,
  );

export const relayClientFactory: ClientFactory = {
  async signUp(input: SignUpInput) {
    const username = input.username.trim().toLowerCase();
    if (!/^[a-z0-9_.]{3,32}$/.test(username)) throw new Error('Usernames are 3–32 letters, digits, dots or underscores.');
    if (input.password.length < 8) throw new Error('Use a password of at least 8 characters.');
    const s = await session(input.relay);
    const r = await signUp({ crypto: s.crypto, fetch: s.gate.transport.fetch, username, password: input.password });
    if (!r.ok) throw accountError(r.error.code, 'Sign-up');
    const saved = { relay: input.relay, username, displayName: input.displayName.trim() || username, user: r.value.userId, device: r.value.device };
    return open(s, saved, r.value);
  },
  async logIn(input) {
    const username = input.username.trim().toLowerCase();
    const s = await session(input.relay);
    const r = await logIn({ crypto: s.crypto, fetch: s.gate.transport.fetch, username, password: input.password });
    if (!r.ok) throw accountError(r.error.code, 'Log-in');
    // The display name comes back with the account's profile document from the relay.
    return open(s, { relay: input.relay, username, displayName: '', user: r.value.userId, device: r.value.device }, r.value);
  },
  async resume(relay) {
    const raw = localStorage.getItem(ACCOUNT_KEY);
    if (raw === null) return null;
    const saved = JSON.parse(raw) as Partial<SavedAccount>;
    if (saved.relay !== relay || typeof saved.user !== 'string' || typeof saved.device !== 'string' || typeof saved.username !== 'string') return null;
    return open(await session(relay), { relay, username: saved.username, displayName: saved.displayName ?? '', user: saved.user, device: saved.device }, null);
  },
};
