import { describe, expect, it } from 'vitest';
import type { DocChange, KithEvents } from '@kith/core';
import { createEngineWorld, type HostileSpec } from './hostile-engines.js';

/**
 * SBX-7 (docs/PROTOCOL.md, ADR 0016): a member's modified client sends a crafted update the
 * receivers cannot read. Before: every other device reported the counter as missing for good
 * (`kith.gaps()`, so the sync state stayed `gap`) and nothing said who or why. After: the change is
 * quarantined — counted, attributed to its author, a `quarantined` event, no gap — and her later
 * changes follow the stated policy: shown when they do not depend on it.
 */
const CRAFTED = Uint8Array.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0xff, 0xff, 0xff, 0x7f, 0x01]);
const isFeed = (c: DocChange): boolean => c.kind === 'update' && c.doc.startsWith('feed:');

for (const backend of ['yjs', 'automerge'] as const) {
  describe(`hostile member sends a crafted update (${backend})`, () => {
    it('SBX-7: an extra crafted change in her stream is quarantined, is no gap, and her later messages show', async () => {
      // Her client slips a crafted envelope into her feed's stream before her next real change.
      let inject = false;
      let shift = 0;
      const send = (c: DocChange): DocChange[] => {
        if (!isFeed(c)) return [c];
        const out: DocChange[] = [];
        if (inject) {
          inject = false;
          out.push({ ...c, counter: c.counter + shift, payload: CRAFTED });
          shift++;
        }
        out.push({ ...c, counter: c.counter + shift });
        return out;
      };
      const w = await createEngineWorld(`hostile-quarantine-a-${backend}`, backend, ['alice', 'bob', 'mallory'], { mallory: { send } });
      const events: Array<KithEvents['quarantined']> = [];
      w.peer('bob').on('quarantined', (e) => events.push(e));
      const group = await w.peer('alice').groups.create({ name: 'g', members: [w.user('bob'), w.user('mallory')] });
      await w.flush();
      await w.peer('mallory').messages.send(group.id, 'first');
      inject = true;
      await w.peer('mallory').messages.send(group.id, 'second');
      await w.peer('mallory').messages.send(group.id, 'third');
      await w.flush();
      for (const name of ['alice', 'bob']) {
        const k = w.peer(name);
        const texts = (await k.messages.page(group.id)).map((m) => m.text);
        console.log(`[SBX-7 extra ${backend}] ${name}: gaps ${JSON.stringify(k.gaps())}, quarantined ${String((k as { quarantined?: () => unknown[] }).quarantined?.().length)}, shows ${texts.join(',')}`);
        expect(k.gaps()).toEqual([]);
        expect(texts).toEqual(['first', 'second', 'third']);
        expect(k.quarantined().map((q) => [q.author, q.conversation])).toEqual([[w.user('mallory'), group.id]]);
        expect(k.stats().quarantined).toBe(1);
      }
      expect(events.map((e) => [e.author, e.conversation])).toEqual([[w.user('mallory'), group.id]]);
      // Still no gap after a restart (the quarantine is persisted), and no second event.
      const bob = await w.restart('bob');
      expect((await bob.messages.page(group.id)).map((m) => m.text)).toEqual(['first', 'second', 'third']);
      expect(bob.gaps()).toEqual([]);
      expect(bob.quarantined()).toHaveLength(1);
    });

    it('SBX-7: a crafted change in place of a real one is quarantined; later changes that depend on it stay hidden', async () => {
      let replace = false;
      const spec: HostileSpec = {
        send: (c) => {
          if (!isFeed(c) || !replace) return [c];
          replace = false;
          return [{ ...c, payload: CRAFTED }];
        },
      };
      const w = await createEngineWorld(`hostile-quarantine-b-${backend}`, backend, ['alice', 'bob', 'mallory'], { mallory: spec });
      const group = await w.peer('alice').groups.create({ name: 'g', members: [w.user('bob'), w.user('mallory')] });
      await w.flush();
      await w.peer('mallory').messages.send(group.id, 'first');
      replace = true;
      await w.peer('mallory').messages.send(group.id, 'replaced');
      await w.peer('mallory').messages.send(group.id, 'after');
      await w.peer('alice').messages.send(group.id, 'alice still chats');
      await w.flush();
      const bob = w.peer('bob');
      const texts = (await bob.messages.page(group.id)).map((m) => m.text);
      console.log(`[SBX-7 replaced ${backend}] bob: gaps ${JSON.stringify(bob.gaps())}, quarantined ${String((bob as { quarantined?: () => unknown[] }).quarantined?.().length)}, shows ${texts.join(',')}`);
      expect(bob.gaps()).toEqual([]);
      expect(bob.quarantined().map((q) => q.author)).toEqual([w.user('mallory')]);
      // Policy: what depends on the quarantined change is not shown (Yjs: her client's clock
      // range is incomplete; Automerge: the change's dependencies are missing).
      expect([...texts].sort()).toEqual(['alice still chats', 'first']);
    });
  });
}
