import { describe, expect, it } from 'vitest';
import { encodeHex } from '../protocol/hex.js';
import { createMembershipAuthorizer } from '../crypto/authorize.js';
import { createIdentity, type Identity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { createCrdtBackend } from '../crdt/index.js';
import { directConversationId, type ConversationId, type DeviceId } from '../ids.js';
import { createKith } from '../kith.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock, createSeededRandom } from '../testing/index.js';
import { createMemoryVault } from '../vault/index.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createMembershipLog, type MembershipLog } from '../model/membership/index.js';
import { loadGrantPolicy, MAX_UNKNOWN_GROUPS_PER_SENDER } from './grant-policy.js';
import { createIntroHandler } from './intro-handler.js';
import { sealIntro, type IntroGrant } from './intro.js';
import { loadKeyStore } from './key-store.js';
import { loadMembershipViews } from './membership-views.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;
const tok = (c: string): string => c.repeat(24);

describe('M4: intro grants are taken only from someone who may grant the scope (SYNC-17)', () => {
  it('M4: a hostile granter plants nothing for a direct, contact, profile or known group scope; unknown groups are capped and marked unverified; a later token never displaces the working one', async () => {
    const crypto = await createSodiumCrypto();
    const [alice, bob, mallory, carol] = [1, 2, 3, 4].map((n) => createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(n)) })) as [Identity, Identity, Identity, Identity];
    // Bob is the victim. He knows group G (alice admin, bob and carol members).
    const storage = createMemoryStorage();
    const keys = await loadKeyStore(crypto, storage, createMemoryVault(crypto));
    // Bob's engine holds the group's log; his session takes each op the engine took.
    const bobLog = new Map<ConversationId, MembershipLog>();
    const engine = { membershipLog: (c: ConversationId) => bobLog.get(c), membershipGroups: () => [...bobLog.keys()], outbox: () => [] };
    const memberships = await loadMembershipViews(storage, engine, () => false, (c, v) => keys.keyring.revalidate(c, v));
    const ops: DocChange[] = [];
    const clock = createManualClock(1_700_000_000_000);
    const k = await createKith({ user: alice.userId, username: 'alice', device, backend: createCrdtBackend('yjs'), clock, random: createSeededRandom('m4') });
    k.onOutgoing((c) => void ops.push(c));
    const group = await k.groups.create({ name: 'G', members: [bob.userId, carol.userId] });
    await k.idle();
    bobLog.set(group.id, createMembershipLog(group.id));
    for (const c of ops) {
      if (c.kind !== 'member') continue;
      bobLog.get(group.id)?.receive(c.payload, alice.userId);
      memberships.took(group.id, c.payload);
    }
    expect(memberships.state(group.id)?.created).toBe(true);

    const policy = await loadGrantPolicy({ crypto, storage, me: bob.userId, memberships });
    const handle = createIntroHandler({ crypto, identity: bob, keys, memberships, authorize: createMembershipAuthorizer((c) => memberships.view(c)), now: () => 1, policy });
    const counters = new Map<string, number>();
    const follows = new Set<string>();
    const send = async (from: Identity, grants: IntroGrant[]): Promise<void> => {
      const n = (counters.get(from.userId) ?? 0) + 1;
      counters.set(from.userId, n);
      const r = handle(sealIntro(crypto, from, { user: bob.userId, boxKey: bob.public.boxKey }, { grants, keyEnvelopes: [] }, n));
      if (!r.ok) return;
      for (const f of r.value.follow) follows.add(f);
      await storage.commit(r.value.writes);
    };

    const direct = directConversationId(bob.userId, alice.userId);
    const planted = new Uint8Array(32).fill(9);
    // Before bob opened his direct conversation with alice, its id looks like any unknown group:
    // mallory's token is held but UNVERIFIED (bob never reuses it as his own: he claims a fresh one),
    // and no key is taken.
    await send(mallory, [{ scope: `conv:${direct}`, token: tok('l'), key: planted, epoch: 0 }]);
    const early = keys.tokens(`conv:${direct}`);
    expect(early).toEqual([tok('l')]);
    expect(policy.isUnverified(`conv:${direct}`, tok('l'))).toBe(true);
    expect(keys.keyring.epochs(direct)).toEqual([]);
    // Once it is open (the pair is known), nobody but alice grants it.
    await storage.commit(memberships.setDirect(direct, [alice.userId, bob.userId].sort() as [typeof alice.userId, typeof bob.userId]));
    await send(mallory, [
      { scope: `conv:${direct}`, token: tok('m'), key: planted, epoch: 0 },
      { scope: `contact:${bob.userId}:${alice.userId}`, token: tok('n'), key: planted, epoch: 0 },
      { scope: `profile:${alice.userId}`, token: tok('o'), key: planted, epoch: 0 },
      { scope: `conv:${group.id}`, token: tok('p') }, // mallory is not a member of G
    ]);
    const plantedScopes = [`conv:${direct}`, `contact:${bob.userId}:${alice.userId}`, `profile:${alice.userId}`, `conv:${group.id}`];
    const tokensTaken = plantedScopes.reduce((n, s) => n + keys.tokens(s).filter((t) => t !== tok('l')).length, 0);
    const keysTaken = [direct, `contact:${bob.userId}:${alice.userId}`, `profile:${alice.userId}`].filter((s) => keys.keyring.epochs(s).length > 0).length;
    expect(tokensTaken).toBe(0);
    expect(keysTaken).toBe(0);

    // Unknown groups: at most MAX_UNKNOWN_GROUPS_PER_SENDER per sender, each token marked unverified.
    const rnd = createSeededRandom('m4-groups');
    const unknown: ConversationId[] = [];
    for (let i = 0; i < 100; i++) {
      const h = encodeHex(rnd.bytes(16));
      unknown.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}` as ConversationId);
    }
    for (let i = 0; i < 100; i += 10) await send(mallory, unknown.slice(i, i + 10).map((c) => ({ scope: `conv:${c}`, token: tok('q') })));
    const unknownTaken = unknown.filter((c) => keys.tokens(`conv:${c}`).length > 0).length;
    expect(unknownTaken).toBe(MAX_UNKNOWN_GROUPS_PER_SENDER - 1); // the early direct plant used one slot
    expect(follows.size).toBeLessThanOrEqual(2 * MAX_UNKNOWN_GROUPS_PER_SENDER);
    expect(unknown.slice(0, unknownTaken).every((c) => policy.isUnverified(`conv:${c}`, tok('q')))).toBe(true);
    // A direct conversation bob has not opened yet looks like an unknown group: taken but unverified,
    // so bob never reuses it as his own token of that scope (he claims a fresh one).
    const withCarol = directConversationId(bob.userId, carol.userId);
    const other = await loadGrantPolicy({ crypto, storage: createMemoryStorage(), me: bob.userId, memberships });
    expect(other.mayGrant(`conv:${withCarol}`, mallory.userId)).toEqual({ ok: true, verified: false });

    // The genuine grants are taken; a later token from another member never displaces the first.
    await send(alice, [
      { scope: `conv:${direct}`, token: tok('a'), key: new Uint8Array(32).fill(1), epoch: 0 },
      { scope: `conv:${group.id}`, token: tok('b') },
    ]);
    await send(carol, [{ scope: `conv:${group.id}`, token: tok('c') }]);
    await send(mallory, [{ scope: `conv:${group.id}`, token: tok('d') }]);
    expect(keys.tokens(`conv:${direct}`)).toEqual([tok('l'), tok('a')]);
    expect(keys.tokens(`conv:${direct}`).filter((t) => !policy.isUnverified(`conv:${direct}`, t))).toEqual([tok('a')]);
    expect(keys.keyring.current(direct)?.info.createdBy).toBe(alice.userId);
    expect(keys.tokens(`conv:${group.id}`)).toEqual([tok('b'), tok('c')]);
    expect(policy.isUnverified(`conv:${group.id}`, tok('b'))).toBe(false);
    console.log(`M4: hostile grants taken: tokens ${tokensTaken}/4, keys ${keysTaken}/3; unknown groups from one sender ${unknownTaken}/100 (cap ${MAX_UNKNOWN_GROUPS_PER_SENDER}), follows ${follows.size}, all unverified; planted direct token before opening held unverified, genuine one verified, group tokens ${keys.tokens(`conv:${group.id}`).length} (non-member's refused)`);
  });
});
