import { describe, expect, it } from 'vitest';
import type { CrdtBackend } from '../ports/crdt.js';
import type { ConversationId, MessageId } from '../ids.js';
import type { Kith } from '../kith.js';
import type { Storage } from '../ports/storage.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createPeerHarness, type PeerHarness } from '../testing/peer-harness.js';
import { snapshotConversation } from '../testing/domain-snapshot.js';

// ADR 0019: reactions, receipts and calls are read from the feed index, so feed chunks leave
// memory beyond a bound and the device still answers about old messages — live, and after a
// cold start that loads only each author's newest chunk.
const CHUNK = 20;
const BOUND = 3;
/** Each author's newest chunk stays besides the bound: two authors in the conversation. */
const MAX_LOADED = BOUND + 2;

const backends: Array<[string, CrdtBackend, number]> = [
  ['yjs', createYjsBackend(), 1200],
  ['automerge', createAutomergeBackend(), 600],
];

describe.each(backends)('memory follows the view (%s)', (_name, backend, count) => {
  it('a device that catches up many chunks holds a bounded number and still answers about old messages', async () => {
    const h = await createPeerHarness({ backend, seed: `memory-view-${_name}`, peers: ['alice', 'bob'], chunkMessages: CHUNK, maxLoadedChunks: BOUND });
    const alice = h.peer('alice');
    const conv = (await alice.conversations.openDirect(h.user('bob'))).id;
    const first = await alice.messages.send(conv, 'the very first');
    const second = await alice.messages.send(conv, 'the second');
    await h.flush();
    // Old entries in what become old chunks: bob's reaction and receipt, alice's call bob answers.
    await h.peer('bob').messages.react(conv, first.id, '👍');
    await h.peer('bob').receipts.markRead(conv, second.id);
    const call = await alice.calls.start(conv, 'voice');
    await h.flush();
    await h.peer('bob').calls.answer(conv, call.id);
    await h.flush();
    await alice.calls.end(conv, call.id);

    const ids: MessageId[] = [first.id, second.id];
    for (let i = 0; i < count; i++) {
      h.clock.advance(1);
      const sender = i % 4 === 3 ? h.peer('bob') : alice;
      ids.push((await sender.messages.send(conv, `m${i}`)).id);
      if (i % 100 === 99) await h.flush();
    }
    await h.flush();
    for (const name of ['alice', 'bob']) expect(h.peer(name).stats().loadedChunks, name).toBeLessThanOrEqual(MAX_LOADED);

    // Changes targeting evicted chunks: an edit and a delete of old messages, a reaction to one.
    await alice.messages.edit(conv, first.id, 'the very first, edited');
    await alice.messages.delete(conv, ids[10]!);
    await alice.messages.react(conv, second.id, '🎉');
    await h.flush();

    const expectOldAnswers = async (bob: Kith): Promise<void> => {
      expect(bob.messages.reactions(conv, first.id).map((r) => r.emoji)).toEqual(['👍']);
      expect(bob.messages.reactions(conv, second.id).map((r) => [r.user, r.emoji])).toEqual([[h.user('alice'), '🎉']]);
      expect((await bob.messages.get(conv, first.id))?.text).toBe('the very first, edited');
      expect((await bob.messages.get(conv, ids[10]!))?.deleted).toBe(true);
      expect(bob.receipts.forMember(conv, h.user('bob')).read).toBe(second.id);
      expect(bob.calls.list(conv).map((c) => [c.id, c.status])).toEqual([[call.id, 'completed']]);
      // A page deep in history, then the latest page.
      const old = await bob.messages.page(conv, { before: ids[41]!, limit: 30 });
      expect(old.map((m) => m.id)).toEqual(ids.slice(11, 41));
      const latest = await bob.messages.page(conv, { limit: 50 });
      expect(latest.map((m) => m.id)).toEqual(ids.slice(-50));
      await bob.idle();
      expect(bob.stats().loadedChunks).toBeLessThanOrEqual(MAX_LOADED);
    };
    await expectOldAnswers(h.peer('bob'));
    // Both sides show the same conversation (reading all of it loads every chunk in turn).
    const seen = (kith: Kith) => snapshotConversation(kith, conv);
    const bobView = await seen(h.peer('bob'));
    expect(bobView).toEqual(await seen(alice));
    expect(bobView.messages).toHaveLength(count + 2);
    await h.peer('bob').idle();
    expect(h.peer('bob').stats().loadedChunks).toBeLessThanOrEqual(MAX_LOADED);

    // Cold start: only the newest chunk per author loads; the index comes from storage.
    const restarted = await h.restart('bob');
    expect(restarted.stats().loadedChunks).toBe(2);
    await expectOldAnswers(restarted);
    expect(await seen(restarted)).toEqual(bobView);
    await h.close();
  }, 120_000);
});

/**
 * alice, bob and carol in a group; alice is cut off while bob writes a message, a reaction to his
 * earlier message and a call, then enough to roll his chunks over at carol, so the chunk holding
 * them leaves her memory (maxLoadedChunks 0). alice then removes bob without having seen any of it.
 */
async function removalRacingEvictedChunks(h: PeerHarness) {
  const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
  const g = await alice.groups.create({ name: 'g', members: [h.user('bob'), h.user('carol')] });
  await h.flush();
  const kept = await bob.messages.send(g.id, 'before');
  await h.flush();
  h.net.partition([['alice'], ['bob', 'carol', 'hub']], 'hold');
  const cut = await bob.messages.send(g.id, 'concurrent');
  await bob.messages.react(g.id, kept.id, '👍');
  const call = await bob.calls.start(g.id, 'voice');
  for (let i = 0; i < 20; i++) await bob.messages.send(g.id, `later ${i}`);
  h.net.flush();
  await carol.idle();
  expect(carol.messages.reactions(g.id, kept.id).map((r) => r.emoji)).toEqual(['👍']);
  expect(carol.calls.list(g.id).map((c) => c.id)).toEqual([call.id]);
  expect(carol.stats().loadedChunks).toBeLessThanOrEqual(2); // alice's and bob's newest
  return { g, kept, cut };
}

/** What carol shows once bob's removal is in: nothing of what its cutoff excludes. */
async function expectCut(carol: Kith, g: { id: ConversationId }, kept: MessageId, cut: MessageId): Promise<void> {
  expect(carol.messages.reactions(g.id, kept)).toEqual([]);
  expect(carol.calls.list(g.id)).toEqual([]);
  expect(await carol.messages.get(g.id, cut)).toBeNull();
  expect((await carol.messages.page(g.id)).map((m) => m.text)).toEqual(['before']);
}

describe.each(backends)('a departure learned while chunks are out of memory (%s)', (_name, backend) => {
  // The chunks load again (the departure asks for them; a redelivery would too) and re-filter on load.
  it("retracts what the remover's cutoff excludes from evicted chunks, reactions included", async () => {
    const h = await createPeerHarness({ backend, seed: `memory-cut-${_name}`, peers: ['alice', 'bob', 'carol'], chunkMessages: 5, maxLoadedChunks: 0 });
    const { g, kept, cut } = await removalRacingEvictedChunks(h);
    await h.peer('alice').groups.removeMember(g.id, h.user('bob'));
    h.net.heal();
    await h.flush();
    await expectCut(h.peer('carol'), g, kept.id, cut.id);
    await expectCut(await h.restart('carol'), g, kept.id, cut.id);
    await h.close();
  }, 60_000);
});

describe.each(backends)('a device killed before it reloaded the chunks a departure cuts (%s)', (_name, backend) => {
  // ADR 0019 addendum: the departure is stored before the reloads finish; opening again compares
  // it with the departures whose chunks were re-filtered and reloads what is missing.
  it('retracts the cut entries of evicted chunks after the restart, reactions included', async () => {
    // carol's storage: loads of bob's chunks can be held (a slow disk) and are counted; commits
    // of a membership log are watched.
    let holdBobsChunks = false;
    let countFeed = '';
    let bobsChunksLoaded = 0;
    let membershipStored: () => void = () => undefined;
    const removalStored = new Promise<void>((resolve) => (membershipStored = resolve));
    const wrapStorage = (name: string, storage: Storage): Storage =>
      name !== 'carol'
        ? storage
        : {
            ...storage,
            loadDoc(doc) {
              if (countFeed !== '' && doc.startsWith('feed:') && doc.includes(countFeed)) bobsChunksLoaded++;
              return holdBobsChunks && doc.includes(`:${h.user('bob')}:`) ? new Promise<never>(() => undefined) : storage.loadDoc(doc);
            },
            async commit(writes) {
              await storage.commit(writes);
              if (holdBobsChunks && writes.some((w) => w.type === 'appendUpdate' && w.doc.startsWith('members:'))) membershipStored();
            },
          };
    const h = await createPeerHarness({ backend, seed: `memory-cut-kill-${_name}`, peers: ['alice', 'bob', 'carol'], chunkMessages: 5, maxLoadedChunks: 0, wrapStorage });
    const { g, kept, cut } = await removalRacingEvictedChunks(h);
    await h.peer('alice').groups.removeMember(g.id, h.user('bob'));
    await h.peer('alice').idle();
    holdBobsChunks = true;
    h.net.heal();
    h.net.flush(); // the removal reaches carol: it is stored, her engine asks for bob's evicted chunks …
    await removalStored;
    holdBobsChunks = false;
    const restarted = await h.restart('carol', { kill: true }); // … and dies before they load
    await restarted.idle();
    expect(restarted.groups.members(g.id).map((m) => m.user)).not.toContain(h.user('bob'));
    await expectCut(restarted, g, kept.id, cut.id);
    await h.flush();
    // Once re-filtered, a departure costs nothing more: the next open loads bob's newest chunk only.
    countFeed = `:${h.user('bob')}:`;
    const again = await h.restart('carol');
    await again.idle();
    expect(bobsChunksLoaded).toBe(1);
    await expectCut(again, g, kept.id, cut.id);
    await h.close();
  }, 60_000);
});
