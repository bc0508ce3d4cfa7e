import { afterEach, describe, expect, it } from 'vitest';
import { createDocAwareness, parseDocRef, sharedDocId, type AwarenessEvent, type ConversationId, type SharedDoc } from '@kith/core';
import { yjsSharedDocs } from '@kith/core/yjs';
import { lookupAll } from '@kith/core/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

type YDoc = ReturnType<typeof yjsSharedDocs.create>;

let worlds: InProcessHarness[] = [];
afterEach(async () => {
  for (const w of worlds) await w.close();
  worlds = [];
});

const text = (d: SharedDoc<YDoc>): string => d.doc.getText('note').toJSON();

/** Alice (admin), bob and carol in one group; everyone has flushed. */
async function group(seed: string) {
  const world = await createMemoryHarness(seed);
  worlds.push(world);
  const [alice, bob, carol] = [await world.addPeer('alice'), await world.addPeer('bob'), await world.addPeer('carol')];
  const ids = await lookupAll(['alice', 'bob', 'carol'], (n) => world.peer(n));
  const g = await alice.kith.groups.create({ name: 'G', members: [ids.get('bob')!, ids.get('carol')!] });
  await world.flush();
  return { world, alice, bob, carol, ids, conv: g.id };
}

/** Every stored relay entry of `doc`, as one byte string per entry. */
async function storedAtRelay(world: InProcessHarness, doc: string): Promise<Uint8Array[]> {
  return (await world.relay.store.docs.read(doc, 0, 100_000)).map((e) => e.bytes);
}

const contains = (hay: Uint8Array, needle: string): boolean => Buffer.from(hay).includes(Buffer.from(needle, 'utf8'));

describe('shared documents (ADR 0025)', () => {
  it('DOC-3: every device derives one id from (conversation, name, backend, writers); another rule is another document', () => {
    const conv = '0190f000-0000-7000-8000-000000000001' as ConversationId;
    const a = sharedDocId(conv, 'notes', { writers: 'members', backend: 'yjs' });
    expect(sharedDocId(conv, 'notes', { writers: 'members', backend: 'yjs' })).toBe(a);
    expect(a).toMatch(/^doc:0190f000-0000-7000-8000-000000000001:[0-9a-f-]{36}:0$/);
    expect(sharedDocId(conv, 'notes', { writers: 'admins', backend: 'yjs' })).toMatch(/:1$/);
    expect(sharedDocId(conv, 'notes', { writers: 'members', backend: 'automerge' })).toMatch(/:2$/);
    expect(sharedDocId(conv, 'notes', { writers: 'admins', backend: 'yjs' }).split(':')[2]).not.toBe(a.split(':')[2]);
    expect(parseDocRef(a)).toMatchObject({ kind: 'doc', conversation: conv, mode: { writers: 'members', yjs: true } });
    expect(parseDocRef(a.replace(/:0$/, ':4'))).toBeNull();
    expect(parseDocRef(`${a}:0`)).toBeNull();
    expect(() => sharedDocId(conv, '', { writers: 'members', backend: 'yjs' })).toThrow();
  });

  it('DOC-5/DOC-7: members open the same note offline, edit concurrently, converge through the relay, which stores ciphertext only', async () => {
    const { world, alice, bob, carol, conv } = await group('shared-docs-converge');
    world.setOnline('bob', false);
    const [a, b, c] = await Promise.all([alice, bob, carol].map((p) => p.kith.docs.open(conv, 'notes', { backend: yjsSharedDocs })));
    expect(new Set([a!.id, b!.id, c!.id]).size).toBe(1);
    a!.doc.getText('note').insert(0, 'CANARY-alice-7f3a ');
    b!.doc.getText('note').insert(0, 'CANARY-bob-offline-91c2 ');
    c!.doc.getText('note').insert(0, 'CANARY-carol-4d10 ');
    await Promise.all([a!.flushed(), b!.flushed(), c!.flushed()]);
    await world.flush();
    expect(text(a!)).toBe(text(c!));
    expect(text(a!)).not.toContain('bob-offline');
    world.setOnline('bob', true);
    await world.flush({ until: 'upToDate' });
    for (const d of [a!, b!, c!]) for (const who of ['alice-7f3a', 'bob-offline-91c2', 'carol-4d10']) expect(text(d)).toContain(who);
    expect(text(b!)).toBe(text(a!));
    expect(text(c!)).toBe(text(a!));
    const stored = await storedAtRelay(world, a!.id);
    expect(stored.length).toBe(3);
    expect(stored.filter((bytes) => contains(bytes, 'CANARY')).length).toBe(0);
  });

  it('DOC-7: a restarted device restores the document from its own storage, and its offline edit reaches the others', async () => {
    const { world, alice, bob, conv } = await group('shared-docs-restart');
    const a = await alice.kith.docs.open(conv, 'notes', { backend: yjsSharedDocs });
    const b = await bob.kith.docs.open(conv, 'notes', { backend: yjsSharedDocs });
    a.doc.getText('note').insert(0, 'hello');
    await world.flush();
    expect(text(b)).toBe('hello');
    world.setOnline('bob', false);
    b.doc.getText('note').insert(5, ' world');
    await b.flushed();
    await world.restart('bob', { kill: true });
    const b2 = await bob.kith.docs.open(conv, 'notes', { backend: yjsSharedDocs });
    expect(text(b2)).toBe('hello world');
    world.setOnline('bob', true);
    await world.flush({ until: 'upToDate' });
    expect(text(a)).toBe('hello world');
  });

  it('DOC-4: a removed member is cut off from new changes both ways; an admins-only document takes only admins\' edits', async () => {
    const { world, alice, bob, carol, ids, conv } = await group('shared-docs-removal');
    const [a, b, c] = await Promise.all([alice, bob, carol].map((p) => p.kith.docs.open(conv, 'notes', { backend: yjsSharedDocs })));
    b!.doc.getText('note').insert(0, 'bob-before ');
    await world.flush();
    expect(text(a!)).toContain('bob-before');
    await alice.kith.groups.removeMember(conv, ids.get('bob')!);
    await world.flush();
    expect(b!.canWrite()).toBe(false);
    b!.doc.getText('note').insert(0, 'bob-after ');
    a!.doc.getText('note').insert(0, 'alice-after ');
    await Promise.all([a!.flushed(), b!.flushed()]);
    await world.flush();
    expect(b!.refusedEdits).toBe(1);
    expect(text(a!)).toContain('bob-before');
    expect(text(a!)).not.toContain('bob-after');
    expect(text(c!)).toBe(text(a!));
    expect(text(b!)).not.toContain('alice-after');

    const adminsA = await alice.kith.docs.open(conv, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    const adminsC = await carol.kith.docs.open(conv, 'rules', { backend: yjsSharedDocs, writers: 'admins' });
    expect(adminsA.id).not.toBe(a!.id);
    expect(adminsC.canWrite()).toBe(false);
    adminsA.doc.getText('note').insert(0, 'by the admin');
    adminsC.doc.getText('note').insert(0, 'by a member ');
    await world.flush();
    expect(adminsC.refusedEdits).toBe(1);
    expect(text(adminsA)).toBe('by the admin');
  });

  it('DOC-6: awareness reaches the other members\' devices as signals and is stored nowhere; a removed member gets none', async () => {
    const { world, alice, bob, carol, ids, conv } = await group('shared-docs-awareness');
    const a = await alice.kith.docs.open(conv, 'notes', { backend: yjsSharedDocs });
    const [aw, bw, cw] = [alice, bob, carol].map((p) => createDocAwareness({ engine: p.kith, sync: p.sync, doc: a.id }));
    const got = new Map<string, AwarenessEvent[]>([['alice', []], ['bob', []], ['carol', []]]);
    aw!.on((e) => got.get('alice')!.push(e));
    bw!.on((e) => got.get('bob')!.push(e));
    cw!.on((e) => got.get('carol')!.push(e));
    const before = (await storedAtRelay(world, a.id)).length;
    expect(aw!.send(new TextEncoder().encode('CANARY-cursor@3'))).toBe(3);
    await world.flush();
    expect(got.get('alice')).toEqual([]);
    for (const who of ['bob', 'carol']) {
      expect(got.get(who)!.map((e) => [e.from, new TextDecoder().decode(e.payload)])).toEqual([[ids.get('alice'), 'CANARY-cursor@3']]);
    }
    expect((await storedAtRelay(world, a.id)).length).toBe(before);
    await alice.kith.groups.removeMember(conv, ids.get('bob')!);
    await world.flush();
    expect(aw!.send(new TextEncoder().encode('after'))).toBe(2);
    cw!.send(new TextEncoder().encode('carol-after'));
    await world.flush();
    expect(got.get('bob')!.map((e) => new TextDecoder().decode(e.payload))).toEqual(['CANARY-cursor@3']);
    expect(got.get('carol')!.map((e) => new TextDecoder().decode(e.payload))).toEqual(['CANARY-cursor@3', 'after']);
  });
});
