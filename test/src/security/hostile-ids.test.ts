import { describe, expect, it } from 'vitest';
import type { CrdtMutation } from '@kith/core';
import { createEngineWorld } from './hostile-engines.js';

/**
 * ID-1 (docs/PROTOCOL.md, ADR 0016): a member writes, in her own feed, records keyed by another
 * member's message id and call id (a modified client: her backend rewrites the keys of her
 * changes). Every device ignores them: one message and one call at each id, by their true
 * author, so replies, reactions and edits address exactly one record.
 */
for (const backend of ['yjs', 'automerge'] as const) {
  describe(`hostile member forges ids (${backend})`, () => {
    it('ID-1: a record keyed by another author\'s id is ignored on every device', async () => {
      let forge: { collection: string; key: string } | null = null;
      const rewrite = (m: CrdtMutation): CrdtMutation => (forge !== null && m.op === 'set' && m.collection === forge.collection ? { ...m, key: forge.key } : m);
      const w = await createEngineWorld(`hostile-ids-${backend}`, backend, ['alice', 'bob', 'mallory'], { mallory: { rewrite } });
      const group = await w.peer('alice').groups.create({ name: 'g', members: [w.user('bob'), w.user('mallory')] });
      await w.flush();
      const hello = await w.peer('alice').messages.send(group.id, 'hello');
      const call = await w.peer('alice').calls.start(group.id, 'voice');
      await w.flush();

      forge = { collection: 'msg', key: hello.id };
      const forgedSend = await w.peer('mallory').messages.send(group.id, 'impostor').then(() => 'sent', (e: unknown) => String(e));
      forge = { collection: 'call', key: call.id };
      await w.peer('mallory').calls.start(group.id, 'video').catch(() => undefined);
      forge = null;
      await w.flush();
      const after = await w.peer('mallory').messages.send(group.id, 'honest again');
      await w.flush();

      for (const name of ['alice', 'bob', 'mallory']) {
        const k = w.peer(name);
        const page = await k.messages.page(group.id);
        const atHello = page.filter((m) => m.id === hello.id);
        console.log(`[ID-1 ${backend}] ${name}: messages at alice's id ${atHello.length} (${atHello.map((m) => m.text).join(',')}), page ${page.map((m) => m.text).join(',')}; forged send: ${forgedSend}`);
        expect(atHello.map((m) => [m.author, m.text])).toEqual([[w.user('alice'), 'hello']]);
        expect(page.map((m) => m.text)).toEqual(['hello', 'honest again']);
        expect((await k.messages.get(group.id, hello.id))?.text).toBe('hello');
        const calls = k.calls.list(group.id).filter((c) => c.id === call.id);
        expect(calls.map((c) => [c.caller, c.kind])).toEqual([[w.user('alice'), 'voice']]);
      }
      expect(after.author).toBe(w.user('mallory'));
      // A reaction and a reply to the id address alice's message, the only one there.
      await w.peer('bob').messages.react(group.id, hello.id, '👍');
      const reply = await w.peer('bob').messages.send(group.id, { text: 're', replyTo: hello.id });
      await w.flush();
      const target = await w.peer('alice').messages.get(group.id, reply.replyTo!);
      expect(target?.author).toBe(w.user('alice'));
      expect(w.peer('alice').messages.reactions(group.id, hello.id).map((r) => r.user)).toEqual([w.user('bob')]);
      // Mallory cannot edit it either (not hers), nor through a forged key (ignored).
      await expect(w.peer('mallory').messages.edit(group.id, hello.id, 'x')).rejects.toMatchObject({ code: 'not_the_author' });
    });
  });
}
