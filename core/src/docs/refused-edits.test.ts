import { afterEach, describe, expect, it } from 'vitest';
import type { PeerHarness } from '../testing/peer-harness.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { createYjsBackend } from '../crdt/yjs/yjs-backend.js';
import { yjsSharedDocs } from '../crdt/yjs/yjs-shared-doc.js';

let harness: PeerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('refused local edits (DOC-13)', () => {
  it('DOC-13: a non-writer\'s refused edit is not built on: once promoted, the document is rebuilt and the next edit reaches the others', async () => {
    harness = await createPeerHarness({ backend: createYjsBackend(), seed: 'refused-edits', peers: ['alice', 'bob'] });
    const h = harness;
    const [alice, bob] = ['alice', 'bob'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob')] });
    await h.flush();
    const a = await alice!.docs.open(group.id, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    const b = await bob!.docs.open(group.id, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    const replaced: unknown[] = [];
    b.onReplaced((doc) => replaced.push(doc));
    b.doc.getText('note').insert(0, 'refused ');
    expect(b.refusedEdits).toBe(1);
    expect(b.doc.getText('note').toJSON()).toBe('refused ');
    await alice!.groups.setRole(group.id, h.user('bob'), 'admin');
    await h.flush();
    await b.flushed();
    expect(b.canWrite()).toBe(true);
    // Rebuilt without the refused edit: a later edit cannot wait behind bytes nobody has.
    expect(replaced).toHaveLength(1);
    expect(b.doc.getText('note').toJSON()).toBe('');
    b.doc.getText('note').insert(0, 'counted ');
    await b.flushed();
    await h.flush();
    expect(b.refusedEdits).toBe(1);
    expect(a.doc.getText('note').toJSON()).toBe('counted ');
    const reopened = await bob!.docs.open(group.id, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    expect(reopened.doc.getText('note').toJSON()).toBe('counted ');
  });

  it('DOC-13: edits made on a document object holding a refused edit are refused too, while I still may not write', async () => {
    harness = await createPeerHarness({ backend: createYjsBackend(), seed: 'refused-edits-2', peers: ['alice', 'bob'] });
    const h = harness;
    const [alice, bob] = ['alice', 'bob'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob')] });
    await h.flush();
    const a = await alice!.docs.open(group.id, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    const b = await bob!.docs.open(group.id, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    b.doc.getText('note').insert(0, 'one ');
    b.doc.getText('note').insert(0, 'two ');
    await b.flushed();
    await h.flush();
    expect(b.refusedEdits).toBe(2);
    expect(a.doc.getText('note').toJSON()).toBe('');
    expect(alice!.stats().held).toBe(0);
  });
});
