import { describe, expect, it } from 'vitest';
import { createAutomergeBackend } from '../crdt/automerge/index.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import type { CrdtBackend } from '../ports/crdt.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { deriveCallStatus, parseStoredCall } from '../model/call.js';

const backends: Array<[string, () => CrdtBackend]> = [
  ['yjs', createYjsBackend],
  ['automerge', createAutomergeBackend],
];

describe.each(backends)('a past call keeps its status when members change (%s)', (_name, backend) => {
  it('declined by every invitee stays declined after someone joins the group', async () => {
    const h = await createPeerHarness({ backend: backend(), seed: 'call-status-history', peers: ['alice', 'bob', 'carol', 'dave'] });
    const alice = h.peer('alice');
    const g = await alice.groups.create({ name: 'g', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    const call = await alice.calls.start(g.id, 'voice');
    await h.flush();
    await h.peer('bob').calls.decline(g.id, call.id);
    await h.peer('carol').calls.decline(g.id, call.id);
    await h.flush();
    await alice.calls.end(g.id, call.id);
    await h.flush();
    const status = (name: string) => h.peer(name).calls.list(g.id).find((c) => c.id === call.id)?.status;
    expect(['alice', 'bob', 'carol'].map(status)).toEqual(['declined', 'declined', 'declined']);
    expect(alice.calls.list(g.id)[0]?.invitees).toBe(2);
    // Before: invitees were counted from the members NOW, so dave's arrival turned it "missed".
    await alice.groups.addMember(g.id, h.user('dave'));
    await h.flush();
    expect(['alice', 'bob', 'carol', 'dave'].map(status)).toEqual(['declined', 'declined', 'declined', 'declined']);
    await h.close();
  });
});

describe('stored call records', () => {
  it('invitees: optional; a bad value makes the record invalid; older records fall back to members now', () => {
    const base = { kind: 'voice', startedAt: 1, endedAt: 2, endReason: 'hangup' };
    const key = '0190a0b0-0000-7000-8000-000000000001';
    expect(parseStoredCall(key, base)).toEqual(base);
    expect(parseStoredCall(key, { ...base, invitees: 3 })).toEqual({ ...base, invitees: 3 });
    for (const bad of [-1, 1.5, '3', 1e9, null]) expect(parseStoredCall(key, { ...base, invitees: bad })).toBeNull();
    const declined = [{ user: 'u' as never, state: 'declined' as const, joinedAt: null, at: 1 }];
    expect(deriveCallStatus({ kind: 'voice', startedAt: 1, endedAt: 2, endReason: null, invitees: 1 }, 5, declined)).toBe('declined');
    expect(deriveCallStatus({ kind: 'voice', startedAt: 1, endedAt: 2, endReason: null }, 5, declined)).toBe('missed');
    expect(deriveCallStatus({ kind: 'voice', startedAt: 1, endedAt: 2, endReason: null }, 1, declined)).toBe('declined');
  });
});
