import { afterEach, describe, expect, it } from 'vitest';
import type { DocChange } from '../protocol/doc-change.js';
import type { PeerHarness } from '../testing/peer-harness.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { createYjsBackend } from '../crdt/yjs/yjs-backend.js';
import { yjsSharedDocs } from '../crdt/yjs/yjs-shared-doc.js';

let harness: PeerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A Yjs update inserting `text` into `note`, made on a replica of its own (a crafted change). */
function craftedInsert(text: string): Uint8Array {
  const doc = yjsSharedDocs.create();
  let out: Uint8Array | undefined;
  yjsSharedDocs.onLocal(doc, (u) => (out = u));
  doc.getText('note').insert(0, text);
  return out!;
}

describe('shared-document policy at the receiver (DOC-4)', () => {
  it('DOC-4: a change the removal cuts is taken back when the removal arrives after it (the document is rebuilt), and refused after', async () => {
    harness = await createPeerHarness({ backend: createYjsBackend(), seed: 'shared-doc-policy', peers: ['alice', 'bob', 'carol'] });
    const h = harness;
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    const [a, b, c] = await Promise.all([alice!, bob!, carol!].map((k) => k.docs.open(group.id, 'notes', { backend: yjsSharedDocs })));
    b!.doc.getText('note').insert(0, 'bob-1 ');
    await b!.flushed();
    await h.flush();
    expect(c!.doc.getText('note').toJSON()).toBe('bob-1 ');

    // A modified client of bob's sends counter 2 straight to carol, before she learns of his removal.
    const bobDevice = h.peers.get('bob')!.device;
    const hostile: DocChange = { doc: a!.id, kind: 'update', author: h.user('bob'), device: bobDevice, counter: 2, payload: craftedInsert('HOSTILE ') };
    expect(carol!.receive(hostile)).toMatchObject({ ok: true, value: 'applied' });
    expect(c!.doc.getText('note').toJSON()).toContain('HOSTILE');
    const replaced: unknown[] = [];
    c!.onReplaced((doc) => replaced.push(doc));
    const before = c!.doc;

    await alice!.groups.removeMember(group.id, h.user('bob'));
    await h.flush();
    expect(replaced).toHaveLength(1);
    expect(c!.doc).not.toBe(before);
    expect(c!.doc.getText('note').toJSON()).toBe('bob-1 ');
    // At alice (who removed him) the same change is cut on arrival: never applied.
    expect(alice!.receive(hostile)).toMatchObject({ ok: true, value: 'pending' });
    expect(a!.doc.getText('note').toJSON()).toBe('bob-1 ');
    expect(alice!.stats().rejected).toBe(0);
  });

  it('DOC-4: an admins-only document applies no member\'s change, and a stranger\'s change to a direct chat\'s document is refused', async () => {
    harness = await createPeerHarness({ backend: createYjsBackend(), seed: 'shared-doc-admins', peers: ['alice', 'bob', 'carol'] });
    const h = harness;
    const [alice, bob] = ['alice', 'bob'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob')] });
    await h.flush();
    const a = await alice!.docs.open(group.id, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    const forged: DocChange = { doc: a.id, kind: 'update', author: h.user('bob'), device: h.peers.get('bob')!.device, counter: 1, payload: craftedInsert('member ') };
    expect(alice!.receive(forged)).toMatchObject({ ok: true, value: 'pending' });
    expect(a.doc.getText('note').toJSON()).toBe('');
    await alice!.groups.setRole(group.id, h.user('bob'), 'admin');
    await h.flush();
    // The rule is judged from the current signed state: once bob is an admin his change counts.
    expect(a.doc.getText('note').toJSON()).toBe('member ');

    const direct = await alice!.conversations.openDirect(h.user('bob'));
    const d = await alice!.docs.open(direct.id, 'notes', { backend: yjsSharedDocs });
    const stranger: DocChange = { doc: d.id, kind: 'update', author: h.user('carol'), device: h.peers.get('carol')!.device, counter: 1, payload: craftedInsert('x') };
    expect(alice!.receive(stranger)).toMatchObject({ ok: false, error: { code: 'not_a_member' } });
    void bob;
  });

  it('DOC-7: my own edits of a direct chat\'s document count again after a restart (restored before the feeds)', async () => {
    harness = await createPeerHarness({ backend: createYjsBackend(), seed: 'shared-doc-direct-restart', peers: ['alice', 'bob'] });
    const h = harness;
    const direct = await h.peer('alice').conversations.openDirect(h.user('bob'));
    const d = await h.peer('alice').docs.open(direct.id, 'notes', { backend: yjsSharedDocs });
    d.doc.getText('note').insert(0, 'mine');
    await d.flushed();
    await h.flush();
    const bobDoc = await h.peer('bob').docs.open(direct.id, 'notes', { backend: yjsSharedDocs });
    expect(bobDoc.doc.getText('note').toJSON()).toBe('mine');
    const alice = await h.restart('alice');
    const again = await alice.docs.open(direct.id, 'notes', { backend: yjsSharedDocs });
    expect(again.doc.getText('note').toJSON()).toBe('mine');
    expect(alice.stats().held).toBe(0);
  });
});
