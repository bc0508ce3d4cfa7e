import { describe, expect, it } from 'vitest';
import { createCounterTracker } from '../crypto/counter-tracker.js';
import { makeGroup } from '../crypto/group-fixture.js';
import { openKeyEnvelope, sealKeyEnvelope } from '../crypto/key-envelope.js';
import { createKeyring } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import { testCrypto } from '../crypto/test-kit.js';
import type { ConversationId, UserId } from '../ids.js';
import { historyKeys, MAX_KEYS_PER_GRANT } from './group-keys.js';

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
