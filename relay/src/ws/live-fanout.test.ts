import { parseServerFrame, encodeBase64, type ServerFrame } from '@kith/core/protocol';
import { describe, expect, it } from 'vitest';
import { createHub, type HubPeer } from '../services/hub.js';
import { createLiveBatch, splitLiveEntries, type LiveBatch } from '../services/live-batch.js';
import { grantCapability, registerAndLogin } from '../testing/client.js';
import { createTestRelay } from '../testing/fixture.js';
import { createTestIdentity, signTestEnvelope } from '../testing/identity.js';
import { openTestSocket, settle } from '../testing/socket-pair.js';

const CONV = '0190a1b2-0000-7000-8000-00000000f0a1';

describe('live fan-out: one frame per document and commit, built once (RLY-23, RLY-24)', () => {
  it('RLY-24: every subscriber gets the same batch, whose frame text is built on first use only', async () => {
    const hub = createHub();
    const got: LiveBatch[][] = [[], []];
    const peers: HubPeer[] = got.map((list, i) => ({ user: `u${i}`, device: 'd', onEntries: (b) => list.push(b), sendEphemeral: () => true }));
    for (const p of peers) void hub.subscribe('doc-a', p);
    hub.publish('doc-a', 1, new Uint8Array([1, 2, 3]));
    hub.publish('doc-nobody', 2, new Uint8Array([9]));
    expect(got[0]).toEqual([]); // delivered at the end of the microtask round, not inline
    await Promise.resolve();
    expect(got[0]).toHaveLength(1);
    expect(got[1]![0]).toBe(got[0]![0]);
    const batch = got[0]![0]!;
    const text = batch.frameFor(7);
    batch.entries[0]!.bytes[0] = 0xff; // a rebuild would show it; the cached text does not
    expect(batch.frameFor(8)).toBe(text);
    expect(parseServerFrame(text)).toEqual({ ok: true, value: { v: 1, t: 'entry', doc: 'doc-a', seq: 1, env: encodeBase64(new Uint8Array([1, 2, 3])) } });
  });

  it('RLY-23: several entries make one `entries` frame with the subscription id, parsed by the client parser; bounded', () => {
    const entries = [1, 2, 3, 4, 5].map((seq) => ({ seq, bytes: new Uint8Array(100).fill(seq) }));
    expect(splitLiveEntries(entries, 2, 1e9).map((p) => p.map((e) => e.seq))).toEqual([[1, 2], [3, 4], [5]]);
    expect(splitLiveEntries(entries, 64, 250).map((p) => p.length)).toEqual([2, 2, 1]);
    expect(splitLiveEntries([{ seq: 1, bytes: new Uint8Array(1000) }], 64, 250).map((p) => p.length)).toEqual([1]);
    const batch = createLiveBatch('doc-b', entries.slice(0, 3));
    const a = parseServerFrame(batch.frameFor(7));
    const b = parseServerFrame(batch.frameFor(8));
    const expected = (id: number): ServerFrame => ({
      v: 1,
      t: 'entries',
      id,
      doc: 'doc-b',
      entries: entries.slice(0, 3).map((e) => ({ seq: e.seq, env: encodeBase64(e.bytes) })),
      next: 3,
      more: false,
    });
    expect(a).toEqual({ ok: true, value: expected(7) });
    expect(b).toEqual({ ok: true, value: expected(8) });
  });

  it('through the relay: a group commit of 5 pushes reaches each subscriber as frames of ≤ 2 entries, in order, no gaps', async () => {
    const t = await createTestRelay({ limits: { maxLiveFrameEntries: 2 } });
    const alice = createTestIdentity('alice');
    const bob = createTestIdentity('bob');
    const aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
    const bobToken = await registerAndLogin(t.fetch, bob, 'bob');
    await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'read' });
    const doc = `feed:${CONV}:${alice.userId}:0`;
    const a = openTestSocket(t.relay);
    a.send({ v: 1, t: 'auth', id: 0, token: aliceToken });
    const subs = [openTestSocket(t.relay), openTestSocket(t.relay)];
    for (const s of subs) s.send({ v: 1, t: 'auth', id: 0, token: bobToken });
    await settle(t.relay);
    for (const [i, s] of subs.entries()) s.send({ v: 1, t: 'sub', id: 7 + i, doc, cap: 'read', after: 0 });
    await settle(t.relay);
    for (const [i, s] of subs.entries()) expect(s.frames('ok', 7 + i)).toHaveLength(1);
    for (let c = 1; c <= 5; c++) a.send({ v: 1, t: 'push', id: c, env: encodeBase64(signTestEnvelope(alice, { doc, counter: c, body: new Uint8Array([c]) })) });
    await settle(t.relay);
    expect(a.frames('ack')).toHaveLength(5);
    expect(t.relay.docs.committer.batches).toBe(1);
    for (const [i, s] of subs.entries()) {
      const live = s.inbox.filter((f) => f.t === 'entry' || (f.t === 'entries' && f.id === 7 + i));
      const sizes = live.map((f) => (f.t === 'entries' ? f.entries.length : 1));
      expect(sizes).toEqual([2, 2, 1]);
      const seqs = live.flatMap((f) => (f.t === 'entries' ? f.entries.map((e) => e.seq) : f.t === 'entry' ? [f.seq] : []));
      expect(seqs).toEqual(a.frames('ack').map((f) => f.seq));
    }
  });
});
