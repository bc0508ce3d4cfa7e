import { describe, expect, it } from 'vitest';
import type { Clock, MessageId } from '@kith/core';
import { uuidV7Time } from '@kith/core';
import { createEngineWorld } from './hostile-engines.js';

const MINUTE = 60_000;
const YEARS_80 = 80 * 365 * 24 * 60 * MINUTE;

/**
 * ID-2 (docs/PROTOCOL.md, ADR 0016): a member whose client runs on a forged clock dates her
 * message, reaction, receipt and call in the future. Before: her message (year 2103) sorted
 * after every later message for good. After: what is dated beyond the skew bound (5 minutes past
 * the reader's clock) is not shown and orders nothing until the clock reaches it, on every
 * device alike; within the bound it shows at once.
 */
for (const backend of ['yjs', 'automerge'] as const) {
  describe(`hostile member forges times (${backend})`, () => {
    it('ID-2: records dated beyond the skew bound wait until due; none pins the end of the conversation', async () => {
      let skew = 10 * MINUTE;
      const clock = (shared: Clock): Clock => ({ now: () => shared.now() + skew, setTimer: (ms, fn) => shared.setTimer(ms, fn) });
      const w = await createEngineWorld(`hostile-clock-${backend}`, backend, ['alice', 'bob', 'mallory'], { mallory: { clock } });
      const group = await w.peer('alice').groups.create({ name: 'g', members: [w.user('bob'), w.user('mallory')] });
      await w.flush();
      const a1 = await w.peer('alice').messages.send(group.id, 'a1');
      await w.flush();
      const shownAt = new Map<string, number>();
      w.peer('bob').on('message', (e) => shownAt.set(e.message.text, w.clock.now()));

      // 10 minutes ahead: beyond the bound, shown once bob's clock is within 5 minutes of it.
      const soon = await w.peer('mallory').messages.send(group.id, 'soon');
      await w.flush();
      const texts = async (name: string): Promise<string[]> => (await w.peer(name).messages.page(group.id)).map((m) => m.text);
      expect(await texts('bob')).toEqual(['a1']);
      w.clock.advance(6 * MINUTE);
      await w.flush();
      expect(await texts('bob')).toContain('soon');
      expect(shownAt.get('soon')).toBe(uuidV7Time(soon.id) - 5 * MINUTE);

      // 80 years ahead: a message, a reaction, a read receipt and a call.
      skew = YEARS_80;
      const pinned = await w.peer('mallory').messages.send(group.id, 'pinned');
      await w.peer('mallory').messages.react(group.id, a1.id, '😈');
      await w.peer('mallory').receipts.markRead(group.id, pinned.id);
      await w.peer('mallory').calls.start(group.id, 'video');
      await w.flush();
      w.clock.advance(5 * MINUTE); // past 'soon' (a message within the bound sorts last for at most 5 minutes)
      const a2 = await w.peer('alice').messages.send(group.id, 'a2');
      const b1 = await w.peer('bob').messages.send(group.id, 'b1');
      await w.flush();
      for (const name of ['alice', 'bob']) {
        const k = w.peer(name);
        const page = await k.messages.page(group.id);
        console.log(`[ID-2 ${backend}] ${name}: ${page.map((m) => `${m.text}@${new Date(m.sentAt).getUTCFullYear()}`).join(', ')}`);
        expect(page.map((m) => m.text)).not.toContain('pinned');
        expect(page.at(-1)?.id).toBe([a2.id, b1.id].sort().at(-1) as MessageId);
        expect(k.messages.reactions(group.id, a1.id)).toEqual([]);
        expect(k.receipts.forMember(group.id, w.user('mallory')).read).not.toBe(pinned.id);
        expect(k.calls.list(group.id).filter((c) => c.caller === w.user('mallory'))).toEqual([]);
        expect(await k.messages.get(group.id, pinned.id)).toBeNull();
      }
      // The same view on every device, and from storage.
      expect(await texts('alice')).toEqual(await texts('bob'));
      await w.restart('bob');
      expect(await texts('bob')).toEqual(await texts('alice'));
      // Honest members' clocks are not dragged along: their next ids are dated now.
      const b2 = await w.peer('bob').messages.send(group.id, 'b2');
      expect(uuidV7Time(b2.id)).toBeLessThanOrEqual(w.clock.now() + 5 * MINUTE);
    });

    it('ID-2: a record that waits in a chunk evicted meanwhile is still announced when due', async () => {
      let skew = 10 * MINUTE;
      const clock = (shared: Clock): Clock => ({ now: () => shared.now() + skew, setTimer: (ms, fn) => shared.setTimer(ms, fn) });
      const w = await createEngineWorld(`hostile-clock-evicted-${backend}`, backend, ['alice', 'bob', 'mallory'], {
        mallory: { clock, chunkMessages: 2 },
        bob: { maxLoadedChunks: 1 },
      });
      const group = await w.peer('alice').groups.create({ name: 'g', members: [w.user('bob'), w.user('mallory')] });
      await w.flush();
      const announced: string[] = [];
      w.peer('bob').on('message', (e) => announced.push(e.message.text));
      await w.peer('mallory').messages.send(group.id, 'soon');
      skew = 0;
      for (let i = 0; i < 6; i++) await w.peer('mallory').messages.send(group.id, `m${i}`); // 'soon' ends up in an old chunk
      await w.flush();
      const bob = w.peer('bob');
      // Bob holds the bound (1) besides each author's newest chunk: 'soon''s chunk is not in memory.
      expect(bob.stats().loadedChunks).toBeLessThanOrEqual(3);
      expect(announced).not.toContain('soon');
      w.clock.advance(6 * MINUTE);
      await w.flush();
      await bob.idle();
      expect(announced).toContain('soon');
      expect((await bob.messages.page(group.id)).map((m) => m.text)).toContain('soon');
    });
  });
}
