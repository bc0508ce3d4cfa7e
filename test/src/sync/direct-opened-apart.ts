import type { ConversationId } from '@kith/core';
import type { SyncPeer } from '@kith/core/testing';
import type { InProcessHarness } from '../harness/presets.js';

/**
 * Alice and bob open their direct conversation while apart (KEY-8: two candidate pair keys).
 * Alice writes first and is subscribed to bob's feed; bob is stopped, has opened the same
 * conversation, and knows nothing of alice's key. The caller makes bob write, holds alice's
 * inbox (bob's intro with his key) and starts bob again.
 */
export async function openDirectApart(world: InProcessHarness): Promise<{ alice: SyncPeer; bob: SyncPeer; direct: ConversationId }> {
  const alice = await world.addPeer('alice');
  const bob = await world.addPeer('bob');
  const bobId = await alice.sync.lookup('bob');
  const aliceId = await bob.sync.lookup('alice');
  if (!bobId.ok || !aliceId.ok) throw new Error('lookup failed');
  await world.flush();
  // Bob is offline; alice opens the conversation and writes first: her candidate pair key,
  // her read token claimed at the relay, her intro waiting in bob's inbox.
  await bob.sync.stop();
  const direct = await alice.kith.conversations.openDirect(bobId.value);
  await alice.kith.messages.send(direct.id, 'first from alice');
  await world.flush();
  // Alice reconnects so she subscribes to bob's feed of the conversation (with her token).
  await alice.sync.stop();
  alice.sync.start();
  await world.flush();
  // Bob, still offline and unaware of alice's key, opens the same conversation.
  const same = await bob.kith.conversations.openDirect(aliceId.value);
  if (same.id !== direct.id) throw new Error('both sides must open the same direct conversation');
  return { alice, bob, direct: direct.id };
}
