import { describe, expect, it } from 'vitest';
import type { ConversationId, MessageId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { expectKithError, snapshotKith } from '../testing/domain-snapshot.js';
import { MAX_TEXT_BYTES } from '../model/text.js';

/** Issue 3 acceptance: invalid input gets a typed error AND changes nothing. */
describe('invalid input is refused with a typed error and changes nothing', () => {
  const setup = async () => {
    const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'invalid-input', peers: ['alice', 'bob', 'carol', 'dave'] });
    const alice = h.peer('alice');
    const group = await alice.groups.create({ name: 'G', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    const mine = await alice.messages.send(group.id, 'mine');
    h.clock.advance(10);
    const bobs = await h.peer('bob').messages.send(group.id, 'bobs');
    const gone = await alice.messages.send(group.id, 'soon deleted');
    await alice.messages.delete(group.id, gone.id);
    await h.peer('bob').receipts.markRead(group.id, bobs.id);
    await h.flush();
    return { h, group: group.id, mine: mine.id, bobs: bobs.id, gone: gone.id };
  };

  /** Asserts `fn` rejects with `code`, no DocChange is emitted and the peer's state is unchanged. */
  const refused = async (h: Awaited<ReturnType<typeof setup>>['h'], peer: string, code: string, fn: () => Promise<unknown>) => {
    const kith = h.peer(peer);
    const emitted: DocChange[] = [];
    const off = kith.onOutgoing((c) => emitted.push(c));
    const before = await snapshotKith(kith);
    await expectKithError(code, fn);
    await kith.idle();
    off();
    expect(emitted).toEqual([]);
    expect(await snapshotKith(kith)).toEqual(before);
  };

  it('empty, whitespace-only and oversized messages', async () => {
    const { h, group } = await setup();
    const alice = h.peer('alice');
    await refused(h, 'alice', 'message_empty', () => alice.messages.send(group, ''));
    await refused(h, 'alice', 'message_empty', () => alice.messages.send(group, ' \n\t '));
    await refused(h, 'alice', 'message_too_large', () => alice.messages.send(group, 'é'.repeat(MAX_TEXT_BYTES / 2 + 1)));
  });

  it('unknown conversation', async () => {
    const { h } = await setup();
    const alice = h.peer('alice');
    const unknown = '01890000-0000-7000-8000-000000000000' as ConversationId;
    await refused(h, 'alice', 'unknown_conversation', () => alice.messages.send(unknown, 'hello'));
    await refused(h, 'alice', 'invalid_id', () => alice.messages.send('not-a-uuid' as ConversationId, 'hello'));
  });

  it('reacting to a deleted message', async () => {
    const { h, group, gone } = await setup();
    await refused(h, 'bob', 'message_deleted', () => h.peer('bob').messages.react(group, gone, '❤️'));
  });

  it("editing or deleting someone else's message", async () => {
    const { h, group, bobs } = await setup();
    await refused(h, 'alice', 'not_the_author', () => h.peer('alice').messages.edit(group, bobs, 'hijacked'));
    await refused(h, 'alice', 'not_the_author', () => h.peer('alice').messages.delete(group, bobs));
    await refused(h, 'alice', 'unknown_message', () => h.peer('alice').messages.edit(group, '01890000-0000-7000-8000-000000000001' as MessageId, 'x'));
  });

  it('a non-admin removing a member', async () => {
    const { h, group } = await setup();
    await refused(h, 'bob', 'not_an_admin', () => h.peer('bob').groups.removeMember(group, h.user('carol')));
  });

  it('a non-member sending', async () => {
    const { h, group } = await setup();
    await h.peer('alice').groups.removeMember(group, h.user('carol'));
    await h.flush();
    await refused(h, 'carol', 'not_a_member', () => h.peer('carol').messages.send(group, 'still here?'));
    // dave was never added: the group is unknown to him.
    await refused(h, 'dave', 'unknown_conversation', () => h.peer('dave').messages.send(group, 'let me in'));
  });

  it('a receipt moving backwards', async () => {
    const { h, group, mine, bobs } = await setup();
    expect(mine < bobs).toBe(true);
    await refused(h, 'bob', 'receipt_backwards', () => h.peer('bob').receipts.markRead(group, mine));
    await refused(h, 'bob', 'receipt_backwards', () => h.peer('bob').receipts.markDelivered(group, mine));
  });

  it('DOC-2 inbound: a change to a document its author may not write is refused before decoding', async () => {
    const { h, group } = await setup();
    const bob = h.peer('bob');
    const alice = h.user('alice');
    const before = await snapshotKith(bob);
    const forged = (doc: string, author: UserId, counter = 99): DocChange => ({
      doc: doc as never,
      kind: 'update',
      author,
      device: h.peers.get('carol')!.device,
      counter,
      payload: new Uint8Array([0xff, 0x00, 0x13]),
    });
    // carol writes into alice's feed / profile / account
    expect(bob.receive(forged(`feed:${group}:${alice}:0`, h.user('carol')))).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(bob.receive(forged(`profile:${alice}`, h.user('carol')))).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(bob.receive(forged(`account:${h.user('bob')}`, h.user('carol')))).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(bob.receive(forged('feed:zz', h.user('carol')))).toMatchObject({ ok: false, error: { code: 'invalid_id' } });
    // an authorised doc with garbage bytes: malformed, nothing applied
    expect(bob.receive(forged(`profile:${h.user('carol')}`, h.user('carol')))).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(await snapshotKith(bob)).toEqual(before);
    expect(bob.stats().rejected).toBeGreaterThanOrEqual(5);
  });
});
