import { describe, expect, it } from 'vitest';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import type { DeviceId, DocId, UserId } from '../ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import { changeKey, parseChangeKey, type DocChange } from '../protocol/doc-change.js';
import { loadKeyStore } from '../session/key-store.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createMemoryVault } from '../vault/index.js';
import { loadClientState } from './client-state.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;
const doc = 'feed:22222222-2222-4222-8222-222222222222:33333333-3333-4333-8333-333333333333:0' as DocId;

describe('push records are keyed by the one change key', () => {
  it('SYNC-1: changeKey round-trips; records of earlier versions (<doc>|<counter>) are re-keyed once and matched with the outbox', async () => {
    expect(parseChangeKey(changeKey({ doc, device, counter: 12 }))).toEqual({ doc, device, counter: 12 });
    expect([`${doc}|12`, `${doc}|${device}|012`, `${doc}|${device}|0`, `||1`].map(parseChangeKey)).toEqual([undefined, undefined, undefined, undefined]);

    const crypto = await createSodiumCrypto();
    const storage = createMemoryStorage();
    const change: DocChange = { doc, kind: 'update', author: '33333333-3333-4333-8333-333333333333' as UserId, device, counter: 2, payload: new Uint8Array([2]) };
    await storage.commit([
      { type: 'putMeta', key: `sync/push/${doc}|2`, value: new Uint8Array([0xb2]) },
      { type: 'putMeta', key: `sync/push/${doc}|1`, value: new Uint8Array([0xb1]) },
    ]);
    const engine = { outbox: () => [change] } as unknown as EngineLink;
    const keys = await loadKeyStore(crypto, storage, createMemoryVault(crypto));
    const state = await loadClientState(storage, engine, keys, device);
    expect([...state.queued.keys()]).toEqual([changeKey({ doc, device, counter: 1 }), changeKey(change)]);
    expect(state.queued.get(changeKey(change))?.change).toBe(change);
    const stored = (await storage.listMeta('sync/push/')).map(([k]) => k.slice('sync/push/'.length)).sort();
    expect(stored).toEqual([changeKey({ doc, device, counter: 1 }), changeKey(change)].sort());
  });
});
