import type { GroupInfo } from '@kith/core';
import type { RelayHost, SyncHarness, SyncPeer } from '@kith/core/testing';

export interface GroupOfTwo {
  readonly alice: SyncPeer;
  readonly bob: SyncPeer;
  /** The group alice created with bob in it ('G'), delivered to both. */
  readonly group: GroupInfo;
}

/** The opening of most sync suites: alice and bob join `world`, alice creates a group with bob, flushed. */
export async function groupOfTwo<R extends RelayHost>(world: SyncHarness<R>): Promise<GroupOfTwo> {
  const alice = await world.addPeer('alice');
  const bob = await world.addPeer('bob');
  const bobId = await alice.sync.lookup('bob');
  if (!bobId.ok) throw bobId.error;
  const group = await alice.kith.groups.create({ name: 'G', members: [bobId.value] });
  await world.flush();
  return { alice, bob, group };
}
