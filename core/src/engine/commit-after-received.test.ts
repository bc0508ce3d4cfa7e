import { describe, expect, it } from 'vitest';
import { createCrdtBackend } from '../crdt/index.js';
import type { DeviceId, UserId } from '../ids.js';
import { createKith } from '../kith.js';
import type { Storage, StorageWrite } from '../ports/storage.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock, createSeededRandom } from '../testing/index.js';

const alice = { user: '11111111-1111-4111-8111-111111111111' as UserId, device: '11111111-1111-4111-8111-1111111111aa' as DeviceId };
const bob = { user: '22222222-2222-4222-8222-222222222222' as UserId, device: '22222222-2222-4222-8222-2222222222bb' as DeviceId };

/** A storage whose commits are recorded and may be held (released by the test) or failed. */
function gatedStorage(): { storage: Storage; log: string[]; hold: () => void; release: () => void; failNext: () => void } {
  const inner = createMemoryStorage();
  const log: string[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let fail = false;
  const storage: Storage = {
    ...inner,
    loadDoc: (d) => inner.loadDoc(d),
    listDocs: (p) => inner.listDocs(p),
    getMeta: (k) => inner.getMeta(k),
    listMeta: (p) => inner.listMeta(p),
    outbox: () => inner.outbox(),
    close: () => inner.close(),
    async commit(writes: readonly StorageWrite[]) {
      if (gate !== undefined) await gate;
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      await inner.commit(writes);
      log.push(writes.map((w) => w.type).join('+'));
    },
  };
  return {
    storage,
    log,
    hold: () => void (gate = new Promise((r) => (open = r))),
    release: () => {
      gate = undefined;
      open?.();
    },
    failNext: () => void (fail = true),
  };
}

async function bobsProfileChanges(n: number): Promise<DocChange[]> {
  const kith = await createKith({ ...bob, username: 'bob', backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('bob') });
  const out: DocChange[] = [];
  kith.onOutgoing((c) => out.push(c));
  for (let i = 0; i < n; i++) await kith.profile.update({ username: `bob${i}` });
  await kith.idle();
  return out;
}

async function bobsProfileChange(): Promise<DocChange> {
  const kith = await createKith({ ...bob, username: 'bob', backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('bob') });
  const out: DocChange[] = [];
  kith.onOutgoing((c) => out.push(c));
  await kith.profile.update({ username: 'bobby' });
  await kith.idle();
  const change = out[0];
  if (change === undefined) throw new Error('no outgoing change');
  return change;
}

describe('receive once: sync writes follow the engine commit of what was received (ADR 0014 addendum)', () => {
  it('a cursor handed to commitAfterReceived is durable only after the received change, with no idle() wait', async () => {
    const change = await bobsProfileChange();
    const g = gatedStorage();
    const kith = await createKith({ ...alice, username: 'alice', backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('alice'), storage: g.storage });
    await kith.idle();
    g.log.length = 0;
    g.hold();
    expect(kith.receive(change)).toEqual({ ok: true, value: 'applied' });
    let durable = false;
    const cursor = kith.commitAfterReceived([{ type: 'putMeta', key: 'sync/cursor/x', value: 7 }]).then(() => void (durable = true));
    await Promise.resolve();
    expect(durable).toBe(false);
    g.release();
    await cursor;
    expect(g.log).toEqual(['appendUpdate', 'putMeta']);
    expect(await g.storage.getMeta('sync/cursor/x')).toBe(7);
  });

  it('BATCH-6 group commit: the changes of a range received behind a commit in progress share one commit, before the cursor', async () => {
    const changes = await bobsProfileChanges(8);
    const g = gatedStorage();
    const kith = await createKith({ ...alice, username: 'alice', backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('alice'), storage: g.storage });
    await kith.idle();
    g.log.length = 0;
    g.hold();
    for (const c of changes) expect(kith.receive(c).ok).toBe(true);
    const cursor = kith.commitAfterReceived([{ type: 'putMeta', key: 'sync/cursor/x', value: 8 }]);
    g.release();
    await cursor;
    // The range's eight changes taken before their commit started share it; the cursor follows.
    expect(g.log).toEqual([Array.from({ length: 8 }, () => 'appendUpdate').join('+'), 'putMeta']);
    expect(((await g.storage.loadDoc(changes[0]!.doc))?.updates ?? []).length).toBe(8);
  });

  it('a failed sync commit rejects for its caller and does not break the engine', async () => {
    const g = gatedStorage();
    const kith = await createKith({ ...alice, username: 'alice', backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('alice'), storage: g.storage });
    await kith.idle();
    g.failNext();
    await expect(kith.commitAfterReceived([{ type: 'putMeta', key: 'sync/cursor/x', value: 1 }])).rejects.toThrow('disk full');
    expect(await g.storage.getMeta('sync/cursor/x')).toBeUndefined();
    await expect(kith.profile.update({ username: 'alice2' })).resolves.toMatchObject({ username: 'alice2' });
  });

  it('a cursor is not made durable after the commit of the change it covers failed', async () => {
    const change = await bobsProfileChange();
    const g = gatedStorage();
    const kith = await createKith({ ...alice, username: 'alice', backend: createCrdtBackend('automerge'), clock: createManualClock(1_700_000_000_000), random: createSeededRandom('alice'), storage: g.storage });
    await kith.idle();
    g.hold();
    expect(kith.receive(change)).toEqual({ ok: true, value: 'applied' });
    const cursor = kith.commitAfterReceived([{ type: 'putMeta', key: 'sync/cursor/x', value: 9 }]);
    g.failNext(); // the received change's commit fails
    g.release();
    await expect(cursor).rejects.toThrow('storage_failed');
    expect(await g.storage.getMeta('sync/cursor/x')).toBeUndefined();
    expect((await g.storage.loadDoc(change.doc))?.updates ?? []).toEqual([]);
  });
});
