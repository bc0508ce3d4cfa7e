import { describe, expect, it } from 'vitest';
import {
  createIdentity,
  createKith,
  createMemoryDatabase,
  createMemoryStorage,
  createMemoryTransport,
  createMemoryVault,
  createSodiumCrypto,
  createSyncClient,
  registerAccount,
  SecretKey,
  type Kith,
  type MemoryDatabase,
  type SyncClient,
} from '@kith/core';
import { createAutomergeBackend } from '@kith/core/automerge';
import { createFaultyStorage, createManualClock, createSeededRandom, type FaultyStorage } from '@kith/core/testing';
import { createMemoryRelayStore } from '@kith/relay';
import { createTestRelay } from '@kith/relay/testing';

/**
 * SYNC-1 / SYNC-12 and one durable outbox (ADR 0014): a device whose storage stops at any
 * commit between `send` and the relay's `ack` — one commit failing (a full disk), or every
 * commit from there on (a crash: nothing more reaches the disk) — and that is then reopened
 * from its database, loses no message it acknowledged to the app and duplicates none. Before
 * the ack was one commit, a failed outbox dequeue followed by a durable push-record delete made
 * the restarted device seal the change again (new bytes at a used counter): a conflict, never acked.
 */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const DEVICES = { alice: 'a11ce000-0000-4000-8000-000000000001', bob: 'b0b00000-0000-4000-8000-000000000002' } as const;

interface Peer {
  kith: Kith;
  sync: SyncClient;
  errors: unknown[];
}

interface Outcome {
  commits: number;
  /** Per message: acknowledged to the app, shown at bob, shown at alice. */
  sent: boolean[];
  atBob: number[];
  atAlice: number[];
  outboxLeft: number;
  pushLeft: number;
  conflicts: number;
  errors: number;
  /** Envelopes bob opened for the burst (BATCH-8: fewer than the messages when a range left). */
  bobEnvelopes: number;
}

/** `burst` messages sent at once: the first leaves alone, the rest as one range behind its ack (BATCH-9). */
async function scenario(at: number, mode: 'fail' | 'crash', burst = 1): Promise<Outcome> {
  const relay = await createTestRelay({ store: createMemoryRelayStore(), limits: { connRate: 1e9, connBurst: 1e9, accountRate: 1e9, accountBurst: 1e9, ipRate: 1e9, ipBurst: 1e9 } });
  const transport = createMemoryTransport({ accept: (s) => relay.relay.connect(s), fetch: relay.fetch });
  const crypto = await createSodiumCrypto();
  const clock = createManualClock(1_700_000_000_000);
  const random = createSeededRandom(`ack-crash-${mode}-${at}-${burst}`);
  const backend = createAutomergeBackend();
  // Alice's storage fails from commit `at` of the armed stretch: only that one (`fail`) or all later (`crash`).
  let fault: FaultyStorage | undefined;
  const identities = {
    alice: createIdentity(crypto, { device: DEVICES.alice as never, bundle: new SecretKey(random.fork('bundle:alice').bytes(64)) }),
    bob: createIdentity(crypto, { device: DEVICES.bob as never, bundle: new SecretKey(random.fork('bundle:bob').bytes(64)) }),
  };
  let opened = 0;
  const open = async (name: 'alice' | 'bob', database: MemoryDatabase, faulty: boolean): Promise<Peer> => {
    const identity = identities[name];
    const plain = createMemoryStorage({ database });
    const storage = faulty ? (fault = createFaultyStorage(plain, { startDisabled: true, failWhen: (n) => (mode === 'fail' ? n === at : n >= at) })) : plain;
    const kith = await createKith({ user: identity.userId, username: name, device: identity.device, backend, clock, random: random.fork(`kith:${name}:${opened++}`), storage });
    const sync = await createSyncClient({ kith, identity, crypto, transport, clock, random: random.fork(`sync:${name}:${opened}`), storage, vault: createMemoryVault(crypto, random.fork(`vault:${name}`).bytes(32)), backoff: { baseMs: 100, maxMs: 1000 } });
    const errors: unknown[] = [];
    sync.onError((e) => errors.push(e.error));
    sync.start();
    return { kith, sync, errors };
  };
  const flush = async (peers: Peer[]): Promise<void> => {
    let quiet = 0;
    for (let round = 0; round < 300 && quiet < 3; round++) {
      await relay.relay.docs.drain();
      for (let i = 0; i < 3; i++) await turn();
      for (const p of peers) await p.sync.idle().catch(() => undefined);
      quiet = peers.every((p) => p.sync.quiet()) ? quiet + 1 : 0;
      clock.advance(200);
    }
  };
  for (const name of ['alice', 'bob'] as const) {
    const r = await registerAccount(relay.fetch, identities[name], name);
    if (!r.ok) throw r.error;
  }
  const aliceDb = createMemoryDatabase();
  let alice = await open('alice', aliceDb, true);
  const bob = await open('bob', createMemoryDatabase(), false);
  const bobId = await alice.sync.lookup('bob');
  if (!bobId.ok) throw bobId.error;
  const group = await alice.kith.groups.create({ name: 'G', members: [bobId.value] });
  await flush([alice, bob]);

  // send → seal → push → ack, with alice's storage failing from commit `at` of this stretch on.
  fault!.setFaults(true);
  const envelopesBefore = bob.sync.stats.envelopes;
  const names = Array.from({ length: burst }, (_, i) => `once-${i}`);
  const sent = await Promise.all(
    names.map((text) =>
      alice.kith.messages.send(group.id, text).then(
        () => true,
        () => false,
      ),
    ),
  );
  await flush([alice, bob]);
  const bobEnvelopes = bob.sync.stats.envelopes - envelopesBefore;
  fault!.setFaults(false);
  const commits = fault!.armedCommits();
  const oldErrors = alice.errors;
  // Reopened from its database (the old engine and client are dropped without cleanup).
  void alice.sync.stop().catch(() => undefined);
  alice = await open('alice', aliceDb, false);
  await flush([alice, bob]);
  clock.advance(2_000);
  await flush([alice, bob]);

  const texts = async (k: Kith): Promise<number[]> => {
    const page = await k.messages.page(group.id, { limit: 200 });
    return names.map((n) => page.filter((m) => m.text === n).length);
  };
  const result: Outcome = {
    commits,
    sent,
    bobEnvelopes,
    atBob: await texts(bob.kith),
    atAlice: await texts(alice.kith),
    outboxLeft: alice.kith.outbox().length,
    pushLeft: (await createMemoryStorage({ database: aliceDb }).listMeta('sync/push/')).length,
    conflicts: alice.sync.stats.conflicts,
    errors: oldErrors.length + alice.errors.length + bob.errors.length,
  };
  await alice.sync.stop();
  await bob.sync.stop();
  return result;
}

/** Every commit of the stretch failing once, and a crash at every commit, for `burst` messages. */
async function everyCrashPoint(burst: number): Promise<{ commits: number; outcomes: string[]; envelopes: number }> {
  const clean = await scenario(Number.MAX_SAFE_INTEGER, 'fail', burst);
  const all = names(burst).map(() => 1);
  expect(clean).toMatchObject({ sent: all.map(() => true), atBob: all, atAlice: all, outboxLeft: 0, pushLeft: 0, conflicts: 0, errors: 0 });
  expect(clean.commits).toBeGreaterThan(2);
  const outcomes: string[] = [];
  for (const mode of ['fail', 'crash'] as const) {
    for (let at = 1; at <= clean.commits; at++) {
      const r = await scenario(at, mode, burst);
      outcomes.push(`${mode}@${at}:${r.sent.filter(Boolean).length}/${burst}`);
      r.sent.forEach((sent, i) => {
        // Acknowledged to the app → delivered exactly once; refused → at most once (never twice).
        expect(r.atBob[i], `${mode} at commit ${at}, message ${i}`).toBe(sent ? 1 : r.atBob[i] === 0 ? 0 : 1);
        expect(r.atAlice[i], `${mode} at commit ${at}, message ${i}`).toBe(r.atBob[i]);
      });
      expect({ outboxLeft: r.outboxLeft, pushLeft: r.pushLeft, conflicts: r.conflicts, errors: r.errors }, `${mode} at commit ${at}`).toEqual({ outboxLeft: 0, pushLeft: 0, conflicts: 0, errors: 0 });
    }
  }
  return { commits: clean.commits, outcomes, envelopes: clean.bobEnvelopes };
}
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `once-${i}`);

describe('one durable outbox: a crash between any two commits of send → seal → push → ack', () => {
  it('SYNC-1, SYNC-12: after a restart nothing acknowledged is lost or duplicated, nothing is left unsent', async () => {
    const { commits, outcomes } = await everyCrashPoint(1);
    console.log(`ack-crash: ${commits} commits from send to ack; ${outcomes.join(' ')}`);
  }, 120_000);

  it('BATCH-8: the same for a burst that leaves as a range — its ack is one commit for every change in it', async () => {
    const { commits, outcomes, envelopes } = await everyCrashPoint(6);
    // The first message leaves alone, the five queued behind it as one range.
    expect(envelopes).toBe(2);
    console.log(`ack-crash batch: 6 messages in ${envelopes} envelopes, ${commits} commits from send to ack; ${outcomes.join(' ')}`);
  }, 240_000);
});
