// Quickstart: three people on a running relay. Start one with `pnpm start` (or
// `pnpm --filter @kith/relay start`), then: `pnpm --filter @kith/core quickstart`.
// KITH_RELAY_URL picks another relay (default http://localhost:8787).
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
  type CryptoPort,
  type Kith,
  type SyncClient,
  type WebSocketConstructor,
} from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import { createNodeProcessHost } from '@kith/core/node';

const relay = process.env['KITH_RELAY_URL'] ?? 'http://localhost:8787';
const relayFetch = (path: string, init?: RequestInit): Promise<Response> => fetch(`${relay}${path}`, init);

interface Person {
  readonly name: string;
  readonly kith: Kith;
  readonly sync: SyncClient;
}

async function person(crypto: CryptoPort, username: string, password: string): Promise<Person> {
  // 1. An account: keys made on this device, public keys registered, key backup sealed with the password.
  const identity = await signUp({ crypto, fetch: relayFetch, username, password });
  if (!identity.ok) throw identity.error;
  const { userId, device } = identity.value;
  // 2. The engine (in memory here; browsers pass createDexieStorage from @kith/core/dexie).
  const storage = createMemoryStorage();
  // Secrets the client persists are wrapped by a vault (browsers: createWebCryptoVault, ADR 0012).
  const vault = createMemoryVault(crypto);
  const clock = createSystemClock();
  const kith = await createKith({ user: userId, username, device, backend: createYjsBackend(), clock, random: createCryptoRandom(), storage });
  // 3. Sync through the relay; other people's Yjs updates are decoded in a sandboxed worker first.
  const sandbox = createDecodeSandbox({ host: createNodeProcessHost(), clock });
  const transport = createWebSocketTransport({ url: relay, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const sync = await createSyncClient({ kith, identity: identity.value, crypto, transport, clock, random: createCryptoRandom(), storage, vault, vet: vetWithSandbox(sandbox, userId) });
  sync.start();
  return { name: username, kith, sync };
}

/** The latest page of a conversation, or nothing while this person has not learnt of it yet. */
async function pageOf(p: Person, conversation: Parameters<Kith['messages']['page']>[0]) {
  return p.kith.conversations.list().some((c) => c.id === conversation) ? p.kith.messages.page(conversation) : [];
}

/** Real sockets: wait for a condition with a deadline. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const crypto = await createSodiumCrypto();
const run = Date.now().toString(36);
const alice = await person(crypto, `alice_${run}`, 'correct horse battery');
const bob = await person(crypto, `bob_${run}`, 'staple horse correct');
const carol = await person(crypto, `carol_${run}`, 'battery staple horse');
const lookup = async (from: Person, to: Person) => {
  const id = await from.sync.lookup(to.name);
  if (!id.ok) throw id.error;
  return id.value;
};
const bobId = await lookup(alice, bob);
const carolId = await lookup(alice, carol);

// A contact request and a direct chat.
await alice.kith.contacts.request(bobId);
const direct = await alice.kith.conversations.openDirect(bobId);
const hello = await alice.kith.messages.send(direct.id, 'Hi Bob!');
await until('bob sees the request', () => bob.kith.contacts.list().some((c) => c.user === alice.kith.user));
await bob.kith.contacts.accept(alice.kith.user);
await until('bob gets the message', async () => (await pageOf(bob, direct.id)).some((m) => m.id === hello.id));
const reply = await bob.kith.messages.send(direct.id, { text: 'Hi Alice — this is a reply', replyTo: hello.id });
await bob.kith.receipts.markRead(direct.id, hello.id);

// A group with an admin, a reaction and an encrypted attachment.
const group = await alice.kith.groups.create({ name: 'Weekend trip', members: [bobId, carolId] });
const plan = await alice.kith.messages.send(group.id, 'Train at 9?');
await until('carol joins the group', async () => (await pageOf(carol, group.id)).some((m) => m.id === plan.id));
await carol.kith.messages.react(group.id, plan.id, '👍');
const photo = await alice.sync.uploadAttachment(group.id, { bytes: new TextEncoder().encode('not really a JPEG'), mime: 'image/jpeg', name: 'ticket.jpg' });
if (!photo.ok) throw photo.error;
await alice.kith.messages.send(group.id, { text: 'Tickets', attachments: [photo.value] });

await until('alice sees the reply, the read receipt and the reaction', async () => {
  const page = await alice.kith.messages.page(direct.id);
  const reactions = alice.kith.messages.reactions(group.id, plan.id);
  const receipts = await alice.kith.receipts.forMessage(direct.id, hello.id);
  return page.some((m) => m.id === reply.id) && reactions.length === 1 && receipts.some((r) => r.user === bobId && r.status === 'read');
});
await until('bob gets the attachment', async () => (await pageOf(bob, group.id)).some((m) => m.attachments.length === 1));
const received = (await bob.kith.messages.page(group.id)).find((m) => m.attachments.length === 1)!;
const bytes = await bob.sync.downloadAttachment(group.id, received.attachments[0]!);
if (!bytes.ok) throw bytes.error;

console.log(`direct chat: ${(await alice.kith.messages.page(direct.id)).map((m) => m.text).join(' | ')}`);
console.log(`group "${group.name}": members ${alice.kith.groups.members(group.id).length}, reaction on "${plan.text}": ${alice.kith.messages.reactions(group.id, plan.id).map((r) => r.emoji).join('')}`);
console.log(`bob decrypted the attachment: "${new TextDecoder().decode(bytes.value)}"`);
for (const p of [alice, bob, carol]) {
  await p.sync.stop();
  await p.kith.close();
}
process.exit(0);
