import { describe, expect, it } from 'vitest';
import { createMembershipAuthorizer } from '../crypto/authorize.js';
import { createCounterTracker } from '../crypto/counter-tracker.js';
import { makeGroup } from '../crypto/group-fixture.js';
import { createIdentity, type Identity } from '../crypto/identity.js';
import { openKeyEnvelope, sealKeyEnvelope } from '../crypto/key-envelope.js';
import { createKeyring, epochKeyHash } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import { testCrypto } from '../crypto/test-kit.js';
import type { ConversationId, DeviceId, UserId } from '../ids.js';
import type { MembershipState } from '../model/membership/membership-log.js';
import type { StorageWrite } from '../ports/storage.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createMemoryVault } from '../vault/index.js';
import { loadGrantPolicy } from './grant-policy.js';
import { createGroupKeys, historyKeys, MAX_KEYS_PER_GRANT } from './group-keys.js';
import { loadIntroBook } from './intro-book.js';
import { createIntroHandler } from './intro-handler.js';
import { loadKeyStore } from './key-store.js';
import { loadMembershipViews, type MembershipViews } from './membership-views.js';
import type { QueuedPush } from './queued-push.js';

const CONV = '7d0f3c52-55c4-4b8e-9a51-0f4f0e8c2b11' as ConversationId;
const ADMIN = '11111111-1111-4111-8111-111111111111' as UserId;
const key = (fill: number): SecretKey => new SecretKey(new Uint8Array(32).fill(fill));

describe('SYNC-20: a joiner is given the earlier epochs (history keys)', () => {
  it('historyKeys: every held key below the epoch, newest first, never a provisional one, at most `room`', async () => {
    const crypto = await testCrypto();
    const ring = createKeyring(crypto);
    const info = (epoch: number, extra: object = {}) => ({ scope: CONV, epoch, removals: epoch, createdAt: 1, createdBy: ADMIN, recipients: [], ...extra });
    ring.addEpochKey(info(0), key(1));
    ring.addEpochKey(info(1), key(2));
    ring.addEpochKey(info(1, { provisional: true }), key(3)); // planted before the log: never passed on
    ring.addEpochKey(info(2, { historical: true }), key(4)); // itself shared with this device: passed on
    ring.addEpochKey(info(3), key(5));
    const epochsOf = (list: Array<{ epoch: number; key: SecretKey }>): number[] => list.map((k) => k.epoch);
    const all = historyKeys(ring, CONV, 3, 100);
    expect(epochsOf(all)).toEqual([2, 1, 0]);
    expect(all.map((k) => k.key.expose()[0])).toEqual([4, 2, 1]);
    expect(epochsOf(historyKeys(ring, CONV, 3, 2))).toEqual([2, 1]);
    expect(epochsOf(historyKeys(ring, CONV, 1, 100))).toEqual([0]);
    expect(historyKeys(ring, CONV, 0, 100)).toEqual([]);
    expect(historyKeys(ring, CONV, 3, 0)).toEqual([]);
    console.log(`[SYNC-20] history keys below epoch 3: ${all.length} (provisional skipped), cap per grant ${MAX_KEYS_PER_GRANT}`);
  });

  it('MAX_KEYS_PER_GRANT roster + shared keys fit one sealed box (KEY-4: at most 4,096 bytes) and open', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob']);
    const [alice, bob] = [g.peer('alice'), g.peer('bob')];
    const half = Math.floor(MAX_KEYS_PER_GRANT / 2);
    const rosterKeys = Array.from({ length: half }, (_, i) => ({ epoch: i, key: key(i + 1) }));
    const sharedKeys = Array.from({ length: MAX_KEYS_PER_GRANT - half }, (_, i) => ({ epoch: i, key: key(200 - i) }));
    const epoch = MAX_KEYS_PER_GRANT;
    const bytes = sealKeyEnvelope(crypto, { conversation: g.conv, epoch, key: key(250), removals: 0, counter: 1, grants: [{ recipient: bob.user.identity.public, rosterKeys, sharedKeys }] }, alice.user.identity);
    const opened = openKeyEnvelope(crypto, bytes, { identity: bob.user.identity, authorize: bob.authorize, counters: createCounterTracker() });
    if (!opened.ok) throw opened.error;
    expect(opened.value.rosterKeys.length + opened.value.sharedKeys.length).toBe(MAX_KEYS_PER_GRANT);
    // One more key and the box no longer fits: the cap is tight.
    const over = (): unknown => {
      const b = sealKeyEnvelope(crypto, { conversation: g.conv, epoch, key: key(250), removals: 0, counter: 2, grants: [{ recipient: bob.user.identity.public, rosterKeys, sharedKeys: [...sharedKeys, { epoch: 0, key: key(99) }] }] }, alice.user.identity);
      const r = openKeyEnvelope(crypto, b, { identity: bob.user.identity, authorize: bob.authorize, counters: createCounterTracker() });
      return r.ok ? 'opened' : r.error.code;
    };
    let outcome: unknown;
    try {
      outcome = over();
    } catch (error) {
      outcome = error instanceof Error ? 'thrown' : error;
    }
    expect(outcome).not.toBe('opened');
  });
});

describe('KEY-5, SYNC-20: a member given the canonical key of an epoch also gets its other candidates', () => {
  // Regression (convergence seed yjs-834809971): two admins rotated to epoch 1 concurrently; one
  // sealed a message under her own candidate before learning the other's. A member added later was
  // given only the canonical key (smallest hash, so which one depended on the random keys) and
  // never opened that message. Both key orders are checked, so the test does not depend on luck.
  const device = '11111111-1111-4111-8111-111111111111' as DeviceId;
  for (const [mine, theirs] of [[7, 8], [8, 7]] as const) {
    it(`the joiner receives both epoch-1 keys (this admin's key ${mine}, the other admin's ${theirs})`, async () => {
      const crypto = await testCrypto();
      const [carol, erin, dave] = [1, 2, 3].map((n) => createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(n)) })) as [Identity, Identity, Identity];
      const storage = createMemoryStorage();
      const keys = await loadKeyStore(crypto, storage, createMemoryVault(crypto, new Uint8Array(32).fill(3)));
      for (const u of [erin, dave]) keys.addUser(u.userId, { signingKey: u.public.signingKey, boxKey: u.public.boxKey });
      const info = (epoch: number, createdBy: UserId) => ({ scope: CONV, epoch, removals: epoch, createdAt: 1, createdBy, recipients: [carol.userId, erin.userId] });
      keys.addEpochKey(info(0, carol.userId), key(1));
      keys.addEpochKey(info(1, carol.userId), key(mine));
      keys.addEpochKey(info(1, erin.userId), key(theirs));
      const member = (user: UserId, role: 'admin' | 'member') => [user, { user, role, addedBy: carol.userId, joinedAt: 1 }] as const;
      const state: MembershipState = {
        conversation: CONV, created: true, name: '', description: '', icon: null, creator: carol.userId, createdAt: 1,
        members: new Map([member(carol.userId, 'admin'), member(erin.userId, 'admin'), member(dave.userId, 'member')]),
        former: new Map(), cutoffs: new Map(), cards: new Map(), removals: 1, heads: [],
      };
      const memberships = { state: (c: ConversationId) => (c === CONV ? state : undefined), groups: () => [CONV] } as unknown as MembershipViews;
      const queued: QueuedPush[] = [];
      const book = await loadIntroBook({ crypto, identity: carol, storage, keys, queue: (p) => queued.push(p) });
      const clock = { now: () => 1, setTimer: () => () => undefined };
      const groupKeys = createGroupKeys({ crypto, identity: carol, keys, memberships, clock }, book);
      const writes: StorageWrite[] = [];
      groupKeys.plan(CONV, writes, false);
      writes.push(...book.flush());
      await storage.commit(writes);
      book.queueFlushed();

      // Dave opens what was sent to him.
      const daveStorage = createMemoryStorage();
      const daveKeys = await loadKeyStore(crypto, daveStorage, createMemoryVault(crypto, new Uint8Array(32).fill(4)));
      daveKeys.addUser(carol.userId, { signingKey: carol.public.signingKey, boxKey: carol.public.boxKey });
      const noGroups = { membershipLog: () => undefined, membershipGroups: () => [], outbox: () => [] };
      const daveViews = await loadMembershipViews(daveStorage, noGroups, () => false);
      const policy = await loadGrantPolicy({ crypto, storage: daveStorage, me: dave.userId, memberships: daveViews });
      const handle = createIntroHandler({ crypto, identity: dave, keys: daveKeys, memberships: daveViews, authorize: createMembershipAuthorizer((c) => daveViews.view(c)), now: () => 1, policy });
      for (const push of queued) {
        const r = handle(push.bytes);
        if (r.ok) await daveStorage.commit(r.value.writes);
      }
      const hashes = (ring: typeof keys.keyring): string[] => ring.epochs(CONV).filter((i) => i.epoch === 1).map((i) => i.keyHash).sort();
      expect(hashes(daveKeys.keyring)).toEqual([epochKeyHash(crypto, key(7)), epochKeyHash(crypto, key(8))].sort());
      expect(hashes(daveKeys.keyring)).toEqual(hashes(keys.keyring));
    });
  }
});
