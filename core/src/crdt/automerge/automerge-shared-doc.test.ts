import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocChange } from '../../protocol/doc-change.js';
import type { PeerHarness } from '../../testing/peer-harness.js';
import { createPeerHarness } from '../../testing/peer-harness.js';
import { createSeededRandom } from '../../testing/seeded-random.js';
import { createAutomergeBackend } from './automerge-backend.js';
import { automergeSharedDocs, automergeSharedDocsOf, parseAutomergeChanges, type AutomergeDocHandle } from './automerge-shared-doc.js';

// A type alias (not an interface): Automerge.from wants a record type.
type Note = {
  items?: string[];
  title?: string;
  /** Flat keys: concurrent writers never race to create a shared nested object. */
  [flat: `by-${string}`]: string;
};
const backend = automergeSharedDocsOf<Note>();

/** A handle and every payload it reported as local edits, in order. */
function replica(): { h: AutomergeDocHandle<Note>; out: Uint8Array[] } {
  const h = backend.create();
  const out: Uint8Array[] = [];
  backend.onLocal(h, (p) => out.push(p));
  return { h, out };
}

const push = (h: AutomergeDocHandle<Note>, item: string): void =>
  void h.change((d) => {
    if (d.items === undefined) d.items = []; // (`??=` would push into the plain array, not the document)
    d.items.push(item);
  });

let harness: PeerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('the Automerge shared-document backend (ADR 0026)', () => {
  it('DOC-8: local edits are reported once each as change chunks; remote ones apply in causal order, held until their dependencies arrive', () => {
    const a = replica();
    const b = replica();
    const local: string[] = [];
    a.h.onChange((_d, origin) => local.push(origin));
    push(a.h, 'one');
    push(a.h, 'two');
    a.h.change((d) => void (d.title = 'T'));
    expect(a.out).toHaveLength(3);
    expect(local).toEqual(['local', 'local', 'local']);
    for (const p of a.out) {
      const parsed = parseAutomergeChanges(p);
      expect(parsed.ok && parsed.value.length).toBe(1);
    }

    // Reversed: the last two wait for the first, then all apply; nothing is reported back as local.
    const origins: string[] = [];
    b.h.onChange((_d, origin) => origins.push(origin));
    for (const p of [...a.out].reverse()) expect(backend.apply(b.h, p)).toBe(true);
    expect(b.out).toHaveLength(0);
    expect(origins).toEqual(['remote']);
    expect(b.h.doc()).toEqual({ items: ['one', 'two'], title: 'T' });
    expect(backend.apply(b.h, a.out[0]!)).toBe(true); // a duplicate: no change
    expect(origins).toEqual(['remote']);

    // Concurrent edits converge whatever the order.
    push(b.h, 'from-b');
    push(a.h, 'from-a');
    expect(backend.apply(a.h, b.out.at(-1)!)).toBe(true);
    expect(backend.apply(b.h, a.out.at(-1)!)).toBe(true);
    expect(A.getHeads(a.h.doc()).sort()).toEqual(A.getHeads(b.h.doc()).sort());
    expect(a.h.doc()).toEqual(b.h.doc());
  });

  it('DOC-8: update() adopts a sync-protocol step; the changes it brings are one local edit', () => {
    const a = replica();
    let other = A.from<Note>({ items: ['elsewhere'] });
    other = A.change(other, (d) => void d.items!.push('and more'));
    let mine = A.initSyncState();
    let theirs = A.initSyncState();
    // A few sync rounds between the handle and a plain Automerge document.
    for (let round = 0; round < 4; round++) {
      const [s1, m1] = A.generateSyncMessage(other, theirs);
      theirs = s1;
      if (m1 !== null) {
        a.h.update((d) => {
          const [next, state] = A.receiveSyncMessage(d, mine, m1);
          mine = state;
          return next;
        });
      }
      const [s2, m2] = A.generateSyncMessage(a.h.doc(), mine);
      mine = s2;
      if (m2 !== null) [other, theirs] = A.receiveSyncMessage(other, theirs, m2);
    }
    expect(a.h.doc()).toEqual({ items: ['elsewhere', 'and more'] });
    const b = replica();
    for (const p of a.out) expect(backend.apply(b.h, p)).toBe(true);
    expect(b.h.doc()).toEqual(a.h.doc());
    expect(() => a.h.update(() => ({}))).toThrow(TypeError);
  });

  it('DOC-8: hostile bytes give a typed malformed error and leave the document unchanged; valid changes still apply', () => {
    const a = replica();
    push(a.h, 'valid');
    const good = a.out[0]!;
    const rng = createSeededRandom('automerge-shared-hostile');
    const flipped = good.slice();
    flipped[good.length - 3]! ^= 0x40;
    const hostile: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.from({ length: 200 }, () => rng.int(256)),
      good.subarray(0, good.length - 1),
      flipped,
      new Uint8Array([...good, 1, 2, 3]),
      A.save(A.from<Note>({ title: 'a whole document' })),
      Uint8Array.from([0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 4, 9, 9, 9, 9]),
    ];
    for (let i = 0; i < 40; i++) {
      const m = good.slice();
      m[rng.int(m.length)] = rng.int(256);
      hostile.push(m);
    }
    const b = replica();
    let changed = 0;
    b.h.onChange(() => changed++);
    for (const bytes of hostile) {
      const parsed = parseAutomergeChanges(bytes);
      if (parsed.ok) {
        // A mutation that still parses is a different, valid change: skip it as input here.
        continue;
      }
      expect(parsed.error.code).toBe('malformed');
      expect(backend.apply(b.h, bytes)).toBe(false);
    }
    expect(changed).toBe(0);
    expect(b.h.heads()).toEqual([]);
    expect(() => automergeSharedDocs.apply({} as never, good)).toThrow(TypeError);
    expect(backend.apply(b.h, good)).toBe(true);
    expect(b.h.doc()).toEqual({ items: ['valid'] });
  });
});

describe('shared Automerge documents in the engine (ADR 0026, DOC-4/DOC-7)', () => {
  // (This harness has no crypto: that a removed member cannot READ new changes is the relay e2e test's.)
  it('DOC-4: members write; a removed member\'s new changes count nowhere; a hostile member\'s bytes are counted and dropped', async () => {
    harness = await createPeerHarness({ backend: createAutomergeBackend(), seed: 'am-shared-members', peers: ['alice', 'bob', 'carol'] });
    const h = harness;
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    const [a, b, c] = await Promise.all([alice!, bob!, carol!].map((k) => k.docs.open(group.id, 'board', { backend })));
    expect(a!.id.endsWith(':2')).toBe(true);
    const mark = (d: typeof a, who: string): void => void d!.doc.change((n) => void (n[`by-${who}`] = who));
    const marks = (d: typeof a): string[] => Object.keys(d!.doc.doc()).sort();
    mark(a, 'alice');
    mark(b, 'bob');
    mark(c, 'carol');
    await Promise.all([a!.flushed(), b!.flushed(), c!.flushed()]);
    await h.flush();
    expect(marks(a)).toEqual(['by-alice', 'by-bob', 'by-carol']);
    expect(b!.doc.doc()).toEqual(a!.doc.doc());
    expect(c!.doc.doc()).toEqual(a!.doc.doc());

    const hostile: DocChange = { doc: a!.id, kind: 'update', author: h.user('carol'), device: h.peers.get('carol')!.device, counter: 99, payload: Uint8Array.from([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 1, 1, 0]) };
    const rejectedBefore = alice!.stats().rejected;
    expect(alice!.receive(hostile).ok).toBe(true);
    expect(alice!.stats().rejected).toBe(rejectedBefore + 1);

    await alice!.groups.removeMember(group.id, h.user('bob'));
    await h.flush();
    expect(b!.canWrite()).toBe(false);
    mark(b, 'bob-after');
    mark(a, 'alice-after');
    await Promise.all([a!.flushed(), b!.flushed()]);
    await h.flush();
    expect(b!.refusedEdits).toBe(1);
    expect(marks(a)).not.toContain('by-bob-after');
    expect(marks(a)).toContain('by-alice-after');
    expect(c!.doc.doc()).toEqual(a!.doc.doc());
    mark(c, 'carol-after');
    await c!.flushed();
    await h.flush();
    expect(marks(a)).toContain('by-carol-after');
  });

  it('DOC-4: an admins-only document takes only admins\' changes; DOC-7: it is restored after a restart', async () => {
    harness = await createPeerHarness({ backend: createAutomergeBackend(), seed: 'am-shared-admins', peers: ['alice', 'bob'] });
    const h = harness;
    const [alice, bob] = ['alice', 'bob'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob')] });
    await h.flush();
    const a = await alice!.docs.open(group.id, 'rules', { backend, writers: 'admins' });
    const b = await bob!.docs.open(group.id, 'rules', { backend, writers: 'admins' });
    expect(a.id.endsWith(':3')).toBe(true);
    expect(b.canWrite()).toBe(false);
    a.doc.change((d) => void (d.title = 'by the admin'));
    b.doc.change((d) => void (d.title = 'by a member'));
    await Promise.all([a.flushed(), b.flushed()]);
    await h.flush();
    expect(b.refusedEdits).toBe(1);
    expect(a.doc.doc().title).toBe('by the admin');

    // A modified client of bob's sends his change anyway: it waits, never applied while he is a member.
    const crafted = replica();
    crafted.h.change((d) => void (d.title = 'forged'));
    const forged: DocChange = { doc: a.id, kind: 'update', author: h.user('bob'), device: h.peers.get('bob')!.device, counter: 1, payload: crafted.out[0]! };
    expect(alice!.receive(forged)).toMatchObject({ ok: true, value: 'pending' });
    expect(a.doc.doc().title).toBe('by the admin');

    const restarted = await h.restart('alice');
    const again = await restarted.docs.open(group.id, 'rules', { backend, writers: 'admins' });
    expect(again.doc.doc().title).toBe('by the admin');
  });

  it('DOC-4 (known limit, ADR 0026): a change built on a change a removal cuts is held on every device, which converge without both', async () => {
    harness = await createPeerHarness({ backend: createAutomergeBackend(), seed: 'am-shared-built-on-cut', peers: ['alice', 'bob', 'carol'] });
    const h = harness;
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => h.peer(n));
    const group = await alice!.groups.create({ name: 'G', members: [h.user('bob'), h.user('carol')] });
    await h.flush();
    const [a, b, c] = await Promise.all([alice!, bob!, carol!].map((k) => k.docs.open(group.id, 'board', { backend })));
    b!.doc.change((d) => void (d['by-bob'] = 'one'));
    await b!.flushed();
    await h.flush();
    // Bob's modified client hands change 2 to carol alone; carol edits on top of it.
    const crafted = replica();
    expect(backend.apply(crafted.h, Uint8Array.from(A.getAllChanges(c!.doc.doc()).flatMap((x) => [...x])))).toBe(true);
    crafted.h.change((d) => void (d['by-bob-raced'] = 'two'));
    const raced: DocChange = { doc: a!.id, kind: 'update', author: h.user('bob'), device: h.peers.get('bob')!.device, counter: 2, payload: crafted.out[0]! };
    expect(carol!.receive(raced)).toMatchObject({ ok: true, value: 'applied' });
    c!.doc.change((d) => void (d['by-carol'] = 'on top'));
    await c!.flushed();
    await alice!.groups.removeMember(group.id, h.user('bob'));
    await h.flush();
    const shown = (d: typeof a): string[] => Object.keys(d!.doc.doc()).sort();
    expect(shown(a)).toEqual(['by-bob']);
    expect(shown(c)).toEqual(['by-bob']);
    expect(alice!.stats().held).toBe(0); // the engine applied carol's change: the backend holds it
  });

  it('DOC-7: two handles of one document on one device see each other\'s edits at once (an app\'s handle beside the automerge-repo server)', async () => {
    harness = await createPeerHarness({ backend: createAutomergeBackend(), seed: 'am-shared-two-handles', peers: ['alice', 'bob'] });
    const h = harness;
    const direct = await h.peer('alice').conversations.openDirect(h.user('bob'));
    const first = await h.peer('alice').docs.open(direct.id, 'board', { backend });
    const second = await h.peer('alice').docs.open(direct.id, 'board', { backend });
    const remote: string[] = [];
    second.doc.onChange((_d, origin) => remote.push(origin));
    first.doc.change((d) => void (d.title = 'from the first handle'));
    await first.flushed();
    expect(second.doc.doc().title).toBe('from the first handle');
    expect(remote).toEqual(['remote']);
    second.doc.change((d) => void (d['by-second'] = 'x'));
    await second.flushed();
    expect(first.doc.doc()).toEqual(second.doc.doc());
    await h.flush();
    const bobs = await h.peer('bob').docs.open(direct.id, 'board', { backend });
    expect(bobs.doc.doc()).toEqual(first.doc.doc());
  });
});
