import type { ConversationId, MessageId, Projection } from '@kith/core';
import { createYjsBackend } from '@kith/core/yjs';
import type { PeerHarness } from '@kith/core/testing';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createProjection, openProjectionDb, parseAttachmentId, parseBlobId } from '@kith/core';
import { createPeerHarness } from '@kith/core/testing';

export interface EngineSample {
  readonly h: PeerHarness;
  /** Alice's projection, maintained incrementally while the sample was built. */
  readonly projection: Projection;
  readonly direct: ConversationId;
  readonly side: ConversationId;
  readonly group: ConversationId;
  readonly msg: Readonly<Record<string, MessageId>>;
}

const BLOB = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

/**
 * The comparison's sample, built through three engines (alice, bob, carol) on the peer harness:
 * a direct chat with a reply, an edit, a delete and an attachment; a group with an admin, a
 * removed member, reactions and receipts; a second direct chat that alice archives; per-user
 * state; two calls; bob on two devices; alice blocking carol. Alice's projection follows her
 * engine from the start.
 */
export async function buildEngineSample(): Promise<EngineSample> {
  const h = await createPeerHarness({
    backend: createYjsBackend(),
    seed: 'projection-vs-pglite',
    peers: ['alice', 'bob', 'carol', { name: 'bob-phone', sameUserAs: 'bob' }],
  });
  const [alice, bob, carol] = [h.peer('alice'), h.peer('bob'), h.peer('carol')];
  const db = await openProjectionDb({ name: 'alice', indexedDB: new IDBFactory(), IDBKeyRange });
  const projection = await createProjection({ kith: alice, db });
  const msg: Record<string, MessageId> = {};
  const step = async (): Promise<void> => {
    h.clock.advance(7);
    await h.flush();
  };

  await bob.profile.update({ displayName: 'Bob B.' });
  await carol.profile.update({ about: 'hi' });
  await alice.contacts.request(h.user('bob'));
  await step();
  await bob.contacts.accept(h.user('alice'));
  await carol.contacts.request(h.user('alice'));
  await step();

  const direct = (await alice.conversations.openDirect(h.user('bob'))).id;
  await step();
  msg['d1'] = (await alice.messages.send(direct, 'Hi Bob')).id;
  await step();
  msg['d2'] = (await bob.messages.send(direct, { text: 'Hey Alice!', replyTo: msg['d1'] })).id;
  await step();
  msg['d3'] = (await alice.messages.send(direct, 'Lunch today?')).id;
  await step();
  await alice.messages.edit(direct, msg['d3'], 'Lunch today at noon?');
  msg['d4'] = (await alice.messages.send(direct, 'oops')).id;
  await step();
  await alice.messages.delete(direct, msg['d4']);
  const photo = {
    id: parseAttachmentId('018bcfe5-0000-7000-8000-000000000001'),
    mime: 'image/png',
    size: 2048,
    name: 'menu.png',
    hash: { alg: 'sha256' as const, hex: BLOB(2) },
    keySlot: 0,
    blob: parseBlobId(BLOB(1)),
    width: 64,
    height: 48,
  };
  msg['d5'] = (await bob.messages.send(direct, { text: 'Menu', attachments: [photo] })).id;
  await step();
  await bob.receipts.markRead(direct, msg['d3']);
  await alice.receipts.markDelivered(direct, msg['d5']);
  await alice.messages.react(direct, msg['d2'], '❤️');
  await step();

  const group = (await alice.groups.create({ name: 'Trip', members: [h.user('bob'), h.user('carol')] })).id;
  await step();
  await alice.groups.setRole(group, h.user('bob'), 'admin');
  await step();
  msg['g1'] = (await alice.messages.send(group, 'Where to?')).id;
  await step();
  msg['g2'] = (await bob.messages.send(group, 'Lisbon')).id;
  await step();
  msg['g3'] = (await carol.messages.send(group, 'Porto')).id;
  await step();
  await bob.messages.react(group, msg['g2'], '👍');
  await carol.messages.react(group, msg['g2'], '👍');
  await alice.messages.react(group, msg['g2'], '🎉');
  await bob.messages.react(group, msg['g3'], '😂');
  await step();
  await bob.receipts.markRead(group, msg['g3']);
  await carol.receipts.markDelivered(group, msg['g2']);
  // Bob's second device has read less: receipts per device, the member's the max of both.
  await h.peer('bob-phone').receipts.markRead(group, msg['g1']);
  await step();
  await bob.groups.removeMember(group, h.user('carol'));
  await step();
  msg['g4'] = (await bob.messages.send(group, 'Lisbon it is')).id;
  await step();

  const call = await alice.calls.start(group, 'video');
  await step();
  await bob.calls.answer(group, call.id);
  await step();
  await alice.calls.end(group, call.id);
  await step();
  const missed = await bob.calls.start(direct, 'voice');
  await step();
  await bob.calls.end(direct, missed.id, 'no_answer');
  await step();

  const side = (await carol.conversations.openDirect(h.user('alice'))).id;
  await step();
  msg['s1'] = (await carol.messages.send(side, 'psst')).id;
  await step();
  msg['s2'] = (await carol.messages.send(side, 'are you there?')).id;
  await step();
  await alice.conversations.setState(side, { archived: true });
  await alice.conversations.setState(group, { pinned: true, mutedUntil: h.clock.now() + 3_600_000 });
  await alice.conversations.setState(side, { clearedUpTo: msg['s1'] });
  await step();
  // Carol asked alice (incoming); alice now blocks her: contact_list says blocked, stances stay.
  await alice.contacts.block(h.user('carol'));
  await step();
  await alice.idle();
  await projection.idle();
  return { h, projection, direct, side, group, msg };
}
