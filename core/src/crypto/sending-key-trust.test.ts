import { describe, expect, it } from 'vitest';
import { ok } from '../errors.js';
import { createCounterTracker } from './counter-tracker.js';
import { checkSendable, planEpoch } from './epoch-planner.js';
import { makeGroup } from './group-fixture.js';
import { applyKeyEnvelope, openKeyEnvelope, sealKeyEnvelope } from './key-envelope.js';
import { createKeyring, MAX_EPOCH } from './keyring.js';
import { SecretKey } from './secret-key.js';
import { makeUser, testCrypto } from './test-kit.js';

describe('who may plant the sending key of a group', () => {
  it('a provisional key from a non-admin (huge epoch and removals) never becomes the sending key', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'carol']);
    const carol = g.peer('carol');
    const mallory = makeUser(crypto, 'mallory');
    const planted = sealKeyEnvelope(
      crypto,
      { conversation: g.conv, epoch: 0xfffffff0, key: new SecretKey(crypto.randomBytes(32)), removals: 0xffffffff, counter: 1, grants: [{ recipient: carol.user.identity.public }] },
      mallory.identity,
    );
    // A fresh device of carol's that does not know the log yet takes it provisionally.
    const fresh = createKeyring(crypto);
    const opened = openKeyEnvelope(crypto, planted, { identity: carol.user.identity, authorize: () => ok(undefined), counters: createCounterTracker() });
    if (!opened.ok) throw opened.error;
    applyKeyEnvelope(fresh, opened.value, 0, { provisional: true });
    expect(fresh.current(g.conv)).toBeUndefined();
    expect(fresh.keysFor(`members:${g.conv}` as never, 0xfffffff0)).toHaveLength(1); // still opens
    fresh.revalidate(g.conv, carol.log.state());
    expect(fresh.current(g.conv)).toBeUndefined();
    // the genuine epoch 0 (alice's, from carol's real keyring) is the one sent under
    const genuine = carol.keyring.current(g.conv)!;
    // once the log is known (revalidated), a key added later is checked against it at once
    fresh.addEpochKey({ ...genuine.info, provisional: true }, genuine.key);
    console.log(`planted epoch=${0xfffffff0} current after revalidate=${fresh.current(g.conv)?.info.epoch}`);
    expect(fresh.current(g.conv)?.info.keyHash).toBe(genuine.info.keyHash);
    expect(checkSendable(carol.log.state(), carol.user.id, fresh.current(g.conv)?.info).ok).toBe(true);
  });

  it('an admin key claiming more removals than known, or a removed admin key, is not sent under', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'bob', 'carol']);
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => g.peer(n));
    const promote = alice!.log.create(alice!.user.id, { type: 'role', user: bob!.user.id, role: 'admin' }, 1_700_000_000_100);
    g.broadcastOp(promote.bytes, alice!.user);
    carol!.keyring.revalidate(g.conv, carol!.log.state());
    const epoch0 = carol!.keyring.current(g.conv)!.info.keyHash;
    const grants = [alice!, bob!, carol!].map((p) => ({ recipient: p.user.identity.public }));
    const env = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 1, key: new SecretKey(crypto.randomBytes(32)), removals: 0xffffffff, counter: 9, grants }, bob!.user.identity);
    const o = openKeyEnvelope(crypto, env, { identity: carol!.user.identity, authorize: carol!.authorize, counters: carol!.counters });
    if (!o.ok) throw o.error;
    applyKeyEnvelope(carol!.keyring, o.value, 0);
    expect(carol!.keyring.current(g.conv)!.info.keyHash).toBe(epoch0);
    // bob is removed: his key stays unusable for sending, whatever removals it claims
    const removal = alice!.log.create(alice!.user.id, { type: 'remove', user: bob!.user.id, cutoff: {} }, 1_700_000_000_200);
    g.broadcastOp(removal.bytes, alice!.user);
    carol!.keyring.revalidate(g.conv, carol!.log.state());
    expect(carol!.keyring.current(g.conv)!.info.keyHash).toBe(epoch0);
    expect(checkSendable(carol!.log.state(), carol!.user.id, carol!.keyring.current(g.conv)!.info).ok).toBe(false); // waits for epoch 1 by alice
    // a key whose removals exceed the local state waits for the state to catch up (re-run on change)
    const ahead = sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 1, key: new SecretKey(crypto.randomBytes(32)), removals: 2, counter: 10, grants: [{ recipient: carol!.user.identity.public }] }, alice!.user.identity);
    const a = openKeyEnvelope(crypto, ahead, { identity: carol!.user.identity, authorize: carol!.authorize, counters: carol!.counters });
    if (!a.ok) throw a.error;
    applyKeyEnvelope(carol!.keyring, a.value, 0);
    expect(carol!.keyring.current(g.conv)!.info.epoch).toBe(0);
    g.rotate('alice', 1);
    carol!.keyring.revalidate(g.conv, carol!.log.state());
    expect(carol!.keyring.current(g.conv)!.info).toMatchObject({ epoch: 1, removals: 1, createdBy: alice!.user.id });
  });

  it('shared keys only below the envelope epoch and never current; epochs must chain; no u32 overflow', async () => {
    const crypto = await testCrypto();
    const g = makeGroup(crypto, ['alice', 'carol']);
    const [alice, carol] = ['alice', 'carol'].map((n) => g.peer(n));
    carol!.keyring.revalidate(g.conv, carol!.log.state());
    const grant = (epoch: number, sharedEpoch: number, counter: number) =>
      sealKeyEnvelope(crypto, {
        conversation: g.conv, epoch, key: new SecretKey(crypto.randomBytes(32)), removals: 0, counter,
        grants: [{ recipient: carol!.user.identity.public, sharedKeys: [{ epoch: sharedEpoch, key: new SecretKey(crypto.randomBytes(32)) }] }],
      }, alice!.user.identity);
    for (const [env, expectEpoch] of [[grant(1, 9, 30), 1], [grant(7, 3, 31), 1]] as const) {
      const o = openKeyEnvelope(crypto, env, { identity: carol!.user.identity, authorize: carol!.authorize, counters: carol!.counters });
      if (!o.ok) throw o.error;
      applyKeyEnvelope(carol!.keyring, o.value, 0);
      expect(carol!.keyring.current(g.conv)!.info.epoch).toBe(expectEpoch);
    }
    const epochs = carol!.keyring.epochs(g.conv).map((i) => `${i.epoch}${i.historical === true ? 'h' : ''}`);
    console.log(`carol holds epochs ${epochs.join(',')} current=${carol!.keyring.current(g.conv)!.info.epoch}`);
    expect(epochs).not.toContain('9h'); // a "shared" key for a future epoch is dropped
    expect(epochs).toContain('3h');
    expect(carol!.keyring.addEpochKey({ scope: g.conv, epoch: 0xffffffff, removals: 0, createdAt: 0, createdBy: alice!.user.id, recipients: [] }, new SecretKey(crypto.randomBytes(32)))).toBe(false);
    expect(() => sealKeyEnvelope(crypto, { conversation: g.conv, epoch: 2 ** 32, key: new SecretKey(crypto.randomBytes(32)), removals: 0, counter: 40, grants: [{ recipient: carol!.user.identity.public }] }, alice!.user.identity)).toThrow(/epoch/);
    const top = { ...carol!.keyring.current(g.conv)!.info, epoch: MAX_EPOCH };
    expect(planEpoch({ me: alice!.user.id, state: alice!.log.state(), current: top, messagesInEpoch: 1e9, now: 0, authoredRemoval: false, staleSince: null })).toEqual({ action: 'none' });
  });
});
