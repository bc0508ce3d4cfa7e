import type { SyncClient, UserId } from '../index.js';

/**
 * Every named peer looks every other up in the relay's directory (as an app would before
 * chatting), so intros and key envelopes can reach them. Returns each name's user id, in the
 * order of `names` (seeded suites pick users by position: the order is part of a seed).
 * `peer` maps a name to anything with a sync client (a `SyncHarness` peer, or a hand-made one).
 */
export async function lookupAll(names: readonly string[], peer: (name: string) => { readonly sync: Pick<SyncClient, 'lookup'> }): Promise<Map<string, UserId>> {
  const ids = new Map<string, UserId>();
  for (const from of names)
    for (const to of names) {
      if (from === to) continue;
      const r = await peer(from).sync.lookup(to);
      if (!r.ok) throw r.error;
      ids.set(to, r.value);
    }
  return new Map(names.flatMap((n) => (ids.has(n) ? [[n, ids.get(n)!] as const] : [])));
}
