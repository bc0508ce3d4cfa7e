import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KithEvents } from '@kith/core';
import { createTamper } from '../harness/tampering-kith.js';
import { createHostileRelayWorld, type HostileRelayWorld } from './hostile-relay-world.js';

/**
 * SBX-7 through the sync client and the decode sandbox (Yjs; a real relay): a member's modified
 * client slips crafted bytes into her feed's stream. The sandbox refuses them; before, every
 * other device stayed in `gap` for good (settle never saw `upToDate`). Now the change is
 * quarantined with its author and the sync state returns to `upToDate`.
 */
let w: HostileRelayWorld;
beforeAll(async () => {
  w = await createHostileRelayWorld('sandbox-quarantine');
}, 60_000);
afterAll(async () => {
  await w.close();
});

describe('a quarantined update is not a permanent gap (sandbox)', () => {
  it('SBX-7: the sandbox quarantines a crafted update; the others return to upToDate and show her later messages', async () => {
    const tamper = createTamper();
    await w.add('alice');
    await w.add('bob');
    await w.add('mallory', { tamper });
    await w.lookupAll();
    const events: Array<KithEvents['quarantined']> = [];
    w.device('bob').kith.on('quarantined', (e) => events.push(e));
    const group = await w.device('alice').kith.groups.create({ name: 'g', members: [w.user('bob'), w.user('mallory')] });
    await w.settle();
    const mallory = w.device('mallory').kith;
    await mallory.messages.send(group.id, 'first');
    await w.settle();
    tamper.inject.set(`feed:${group.id}:${w.user('mallory')}:`, [Uint8Array.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0xff, 0xff, 0xff, 0x7f, 0x01])]);
    await mallory.messages.send(group.id, 'second');
    await mallory.messages.send(group.id, 'third');
    await w.settle();
    for (const name of ['alice', 'bob']) {
      const d = w.device(name);
      const texts = (await d.kith.messages.page(group.id)).map((m) => m.text);
      console.log(`[SBX-7 sandbox] ${name}: state ${d.sync.state}, gaps ${d.kith.gaps().length}, quarantined ${d.kith.quarantined().map((q) => q.reason).join(',')}, shows ${texts.join(',')}`);
      expect(d.sync.state).toBe('upToDate');
      expect(d.kith.gaps()).toEqual([]);
      expect(d.kith.quarantined().map((q) => q.author)).toEqual([w.user('mallory')]);
      expect(texts).toEqual(['first', 'second', 'third']);
    }
    expect(events.map((e) => e.author)).toEqual([w.user('mallory')]);
  }, 120_000);

  it('BATCH-6, SBX-7: a crafted update inside a range is quarantined alone; the range\'s other changes are shown', async () => {
    const tamper = createTamper();
    await w.add('carol');
    await w.add('dave');
    await w.add('trudy', { tamper });
    await w.lookupAll();
    const group = await w.device('carol').kith.groups.create({ name: 'h', members: [w.user('dave'), w.user('trudy')] });
    await w.settle();
    const trudy = w.device('trudy').kith;
    const dave = w.device('dave');
    const before = { envelopes: dave.sync.stats.envelopes, received: dave.sync.stats.received };
    await trudy.messages.send(group.id, 'lead'); // leaves alone; what follows waits behind it (BATCH-9)
    tamper.inject.set(`feed:${group.id}:${w.user('trudy')}:`, [Uint8Array.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0xff, 0xff, 0xff, 0x7f, 0x01])]);
    for (const t of ['b1', 'b2', 'b3']) await trudy.messages.send(group.id, t);
    await w.settle();
    const envelopes = dave.sync.stats.envelopes - before.envelopes;
    const received = dave.sync.stats.received - before.received;
    const texts = (await dave.kith.messages.page(group.id)).map((m) => m.text);
    console.log(`[BATCH-6 sandbox] dave: ${received} changes taken from ${envelopes} envelopes, quarantined ${dave.kith.quarantined().filter((q) => q.author === w.user('trudy')).length}, shows ${texts.join(',')}`);
    expect(texts).toEqual(['lead', 'b1', 'b2', 'b3']);
    expect(received).toBeGreaterThanOrEqual(4);
    expect(envelopes).toBeLessThan(received); // the crafted change and b1..b3 came as one range
    expect(dave.kith.quarantined().filter((q) => q.author === w.user('trudy'))).toHaveLength(1);
    expect(dave.sync.state).toBe('upToDate');
  }, 120_000);
});
