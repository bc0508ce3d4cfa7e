import { afterEach, describe, expect, it } from 'vitest';
import type { SyncState } from '@kith/core';
import { encodeBase64 as toBase64, parseServerFrame } from '@kith/core/protocol';
import { login } from '@kith/core/testing';
import { openTestSocket, settle } from '@kith/relay/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';
import { groupOfTwo } from '../harness/group-of-two.js';

let world: InProcessHarness | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('sync client: states, backoff and resume', () => {
  it('goes offline when the network drops, reconnects with backoff on the injected clock, resumes and delivers what was written offline', async () => {
    world = await createMemoryHarness('reconnect');
    const alice = await world.addPeer('alice');
    const bob = await world.addPeer('bob');
    const bobId = await alice.sync.lookup('bob');
    if (!bobId.ok) throw bobId.error;
    const states: SyncState[] = [];
    alice.sync.onState((s) => states.push(s));
    const group = await alice.kith.groups.create({ name: 'G', members: [bobId.value] });
    await world.flush();
    expect(alice.sync.state).toBe('upToDate');

    // The network drops for everyone.
    for (const n of ['alice', 'bob']) world.setOnline(n, false);
    await world.flush();
    expect(alice.sync.state).toBe('offline');
    const m = await alice.kith.messages.send(group.id, 'written offline');
    // Reconnect attempts fail while offline; each waits longer (backoff with jitter).
    for (let i = 0; i < 4; i++) {
      world.clock.advance(2_000);
      await world.flush();
    }
    expect(alice.sync.state).toBe('offline');
    for (const n of ['alice', 'bob']) world.setOnline(n, true);
    world.clock.advance(2_000);
    await world.flush();
    expect(alice.sync.state).toBe('upToDate');
    expect((await bob.kith.messages.page(group.id)).map((x) => x.id)).toContain(m.id);
    expect(states).toContain('syncing');
    console.log(`reconnect: states ${states.join('>')}; reconnect attempts ${alice.sync.stats.reconnects}`);
  });

  it('SYNC-9 reconnect n waits min(maxMs, baseMs·2^n) × [0.5, 1] on the injected clock; the count restarts once authed', async () => {
    world = await createMemoryHarness('backoff'); // the harness's clients use baseMs 100, maxMs 1000
    const w = world;
    const alice = await w.addPeer('alice');
    await w.flush();
    expect(alice.sync.state).toBe('upToDate');
    /** Steps the clock 10 ms at a time and returns the wait before each of the next `count` reconnect attempts. */
    const waits = async (count: number): Promise<number[]> => {
      const out: number[] = [];
      let last = w.clock.now();
      while (out.length < count) {
        const before = alice.sync.stats.reconnects;
        w.clock.advance(10);
        await w.flush();
        if (alice.sync.stats.reconnects > before) {
          out.push(w.clock.now() - last);
          last = w.clock.now();
        }
        if (w.clock.now() - last > 5_000) throw new Error('no reconnect attempt within 5 s');
      }
      return out;
    };
    const expected = (n: number): number => Math.min(1000, 100 * 2 ** n);
    w.setOnline('alice', false);
    await w.flush();
    const offline = await waits(7);
    offline.forEach((wait, n) => {
      expect(wait, `attempt ${n}: ${offline.join(', ')}`).toBeGreaterThanOrEqual(Math.floor(expected(n) / 2));
      expect(wait, `attempt ${n}: ${offline.join(', ')}`).toBeLessThanOrEqual(expected(n) + 10);
    });
    expect(alice.sync.state).toBe('offline');
    w.setOnline('alice', true);
    await waits(1);
    expect(alice.sync.state).toBe('upToDate');
    // authed again: the next outage starts over at baseMs
    w.setOnline('alice', false);
    await w.flush();
    const [first] = await waits(1);
    expect(first).toBeLessThanOrEqual(expected(0) + 10);
    console.log(`backoff: waits ${offline.join(', ')} ms; after a reconnect the first wait is ${first} ms again`);
  });

  it('reports a gap ("messages may be missing") while a counter gap persists; later messages still flow', async () => {
    // Every change sealed alone (no BATCH-9 coalescing), so the offline sends leave three envelopes.
    world = await createMemoryHarness('gap', { maxBatch: 1 });
    const { alice, bob, group } = await groupOfTwo(world);
    await alice.sync.stop();
    for (const t of ['one', 'two', 'three']) await alice.kith.messages.send(group.id, t);
    await alice.kith.idle();
    // Only the newest sealed envelope reaches the relay (pushed by hand): bob sees a hole below it.
    const sealed = (await alice.storage.listMeta('sync/push/feed:')).map(([k, v]) => ({ counter: Number(k.split('|').at(-1)), bytes: v as Uint8Array }));
    const newest = sealed.sort((x, y) => y.counter - x.counter)[0]!;
    const token = await login(world.relay.fetch, alice.identity);
    if (!token.ok) throw token.error;
    const socket = openTestSocket(world.relay.current().relay);
    socket.send({ v: 1, t: 'auth', id: 1, token: token.value });
    await settle(world.relay.current().relay);
    socket.send({ v: 1, t: 'push', id: 2, env: toBase64(newest.bytes) });
    await settle(world.relay.current().relay);
    await world.flush();
    expect(bob.sync.state).toBe('gap');
    const missing = bob.kith.gaps().flatMap((g) => g.missing).length;
    socket.close();
    // The relay stores never-stored counters below its head (H1, RLY ENV-5 per exact counter), so
    // the restarted sender's resend fills the hole: the gap clears and nothing is lost.
    const restarted = await world.restart('alice');
    await world.flush();
    await restarted.kith.messages.send(group.id, 'four');
    await world.flush();
    expect(missing).toBe(2);
    expect(bob.sync.state).toBe('upToDate');
    const texts = (await bob.kith.messages.page(group.id)).map((x) => x.text);
    expect(texts).toContain('four');
    expect(texts.filter((t) => t === 'one' || t === 'two').sort()).toEqual(['one', 'two']);
    console.log(`gap: bob reported state gap with ${missing} missing counters; the resend after restart filled it`);
  });

  it('refuses malformed relay frames without throwing (RLY-2b)', () => {
    const bad = ['', '{', '[]', '{"v":2,"t":"ok","id":1}', '{"v":1,"t":"entries","id":1,"doc":"d","entries":[{"seq":-1,"env":""}],"next":0,"more":false}', '{"v":1,"t":"nope"}', 'x'.repeat(100)];
    const codes = bad.map((b) => {
      const r = parseServerFrame(b);
      return r.ok ? 'ok' : r.error.code;
    });
    expect(codes.every((c) => c !== 'ok')).toBe(true);
    console.log(`relay frames: ${bad.length} malformed frames refused (${codes.join(',')})`);
  });
});
