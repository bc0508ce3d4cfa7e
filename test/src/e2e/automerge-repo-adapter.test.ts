import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Repo, type AutomergeUrl, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocAwareness, sharedDocId, type ConversationId, type UserId } from '@kith/core';
import { KithNetworkAdapter, sharedDocNameOf } from '@kith/core/automerge-repo';
import { lookupAll, type SyncPeer } from '@kith/core/testing';
import { createChildRelayHarness, type ChildRelayHarness } from '../harness/presets.js';

/*
 * ADR 0026: an UNMODIFIED automerge-repo `Repo` per member, each in its own Kith engine, syncing a
 * document through a relay child process. The app's only change is the network adapter it passes.
 */

interface Board {
  title: string;
  notes: string[];
}

let world: ChildRelayHarness;
let conv: ConversationId;
let ids: Map<string, UserId>;
const repos = new Map<string, Repo>();
const adapters = new Map<string, KithNetworkAdapter>();

beforeAll(async () => {
  world = await createChildRelayHarness('automerge-repo-adapter');
  for (const name of ['alice', 'bob', 'carol']) await world.addPeer(name);
  ids = await lookupAll(['alice', 'bob', 'carol'], (n) => world.peer(n));
  const g = await world.peer('alice').kith.groups.create({ name: 'G', members: [ids.get('bob')!, ids.get('carol')!] });
  conv = g.id;
  await world.flush();
}, 120_000);

afterAll(async () => {
  for (const r of repos.values()) await r.shutdown();
  await world?.close();
});

/** The app's code, with Kith's adapter in place of a websocket one. */
function repoOf(peer: SyncPeer): Repo {
  const adapter = new KithNetworkAdapter({ kith: peer.kith, sync: peer.sync, conversation: conv });
  const repo = new Repo({ network: [adapter], peerId: `${peer.name}-repo` as PeerId });
  repos.set(peer.name, repo);
  adapters.set(peer.name, adapter);
  return repo;
}

/**
 * Kith's network until quiet, then real time for the repos: an unmodified `Repo` throttles its sync
 * with a 100 ms timer of its own, so "synced" is polled for (bounded), never assumed after a sleep.
 */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let round = 0; round < 300; round++) {
    if (condition()) return;
    await world.flush();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never reached: ${what}`);
}

/** At least two of the repos' sync periods pass with Kith's network flushed (for "nothing arrives" checks). */
async function quietPeriod(): Promise<void> {
  for (let round = 0; round < 12; round++) {
    await world.flush();
    await new Promise((r) => setTimeout(r, 25));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('an unmodified automerge-repo Repo over Kith (ADR 0026, DOC-9..DOC-11)', () => {
  const handles = new Map<string, DocHandle<Board>>();
  let url: AutomergeUrl;
  const notes = (name: string): string[] => [...(handles.get(name)!.doc()?.notes ?? [])].sort();
  const same = (a: string, b: string): boolean => JSON.stringify(notes(a)) === JSON.stringify(notes(b));

  it('DOC-9/10: two repos sync one document through the relay; concurrent changes converge; a third repo joins; ephemeral messages arrive', async () => {
    const alice = repoOf(world.peer('alice'));
    const bob = repoOf(world.peer('bob'));
    const created = alice.create<Board>({ title: 'CANARY-title-5e1f', notes: ['CANARY-first-0a0a'] });
    handles.set('alice', created);
    url = created.url;
    handles.set('bob', await findWhileFlushing(bob, url));
    expect(handles.get('bob')!.doc().title).toBe('CANARY-title-5e1f');

    handles.get('alice')!.change((d) => void d.notes.push('CANARY-alice-e1d2'));
    handles.get('bob')!.change((d) => void d.notes.push('CANARY-bob-77aa'));
    await until('alice and bob converge', () => notes('alice').length === 3 && same('alice', 'bob'));
    expect(notes('alice')).toEqual(['CANARY-alice-e1d2', 'CANARY-bob-77aa', 'CANARY-first-0a0a']);

    const carol = repoOf(world.peer('carol'));
    handles.set('carol', await findWhileFlushing(carol, url));
    await until('carol has everything', () => same('carol', 'alice'));

    // Presence (ephemeral messages) as DOC-6 awareness signals. Carol's modified client first sends
    // bytes that are not CBOR on the same document: dropped before the repos (which would throw on
    // them and log "error receiving message").
    const repoErrors: unknown[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void repoErrors.push(args[0]));
    const heard: unknown[] = [];
    handles.get('bob')!.on('ephemeral-message', (e) => heard.push(e.message));
    const docId = sharedDocId(conv, sharedDocNameOf(handles.get('alice')!.documentId), { writers: 'members', backend: 'automerge' });
    const hostile = createDocAwareness({ engine: world.peer('carol').kith, sync: world.peer('carol').sync, doc: docId });
    expect(hostile.send(Uint8Array.from([0x1c, 0xff]))).toBeGreaterThan(0);
    hostile.close();
    handles.get('alice')!.broadcast({ cursor: 3, who: 'CANARY-cursor' });
    await until('bob hears alice\'s cursor', () => heard.length > 0);
    expect(heard).toEqual([{ cursor: 3, who: 'CANARY-cursor' }]);
    log.mockRestore();
    expect(repoErrors).toEqual([]);
  }, 120_000);

  it('DOC-10: a repo whose device is offline keeps editing and catches up; everyone converges', async () => {
    world.setOnline('carol', false);
    handles.get('carol')!.change((d) => void d.notes.push('CANARY-carol-offline-0b9e'));
    handles.get('alice')!.change((d) => void d.notes.push('CANARY-alice-while-carol-away'));
    await until('bob has alice\'s edit', () => notes('bob').includes('CANARY-alice-while-carol-away'));
    expect(notes('alice')).not.toContain('CANARY-carol-offline-0b9e');
    world.setOnline('carol', true);
    await world.flush({ until: 'upToDate' });
    await until('all three converge', () => notes('alice').length === 5 && same('alice', 'bob') && same('alice', 'carol'));
    expect(notes('alice')).toContain('CANARY-carol-offline-0b9e');
    expect(notes('carol')).toContain('CANARY-alice-while-carol-away');
  }, 120_000);

  it('DOC-9: the relay data directory and logs hold no plaintext of any change or presence message', async () => {
    await world.flush();
    const files = filesUnder(world.relay.dataDir);
    expect(files.length).toBeGreaterThan(0);
    // Positive control: the scan reads what the relay stored (the document id is public metadata).
    const documentId = handles.get('alice')!.documentId;
    const id = Buffer.from(sharedDocId(conv, sharedDocNameOf(documentId), { writers: 'members', backend: 'automerge' }));
    expect(files.some((f) => readFileSync(f).includes(id))).toBe(true);
    const haystacks = [...files.map((f) => readFileSync(f)), Buffer.from(world.relay.current().output.join(''))];
    let hits = 0;
    for (const bytes of haystacks) {
      for (const canary of ['CANARY', 'title-5e1f', 'alice-e1d2', 'bob-77aa', 'carol-offline', 'cursor', documentId]) if (bytes.includes(Buffer.from(canary))) hits++;
    }
    expect(hits).toBe(0);
  }, 60_000);

  it('DOC-11: a removed member\'s repo receives 0 new changes, and her own new changes reach no one', async () => {
    await world.peer('alice').kith.groups.removeMember(conv, ids.get('bob')!);
    await world.flush();
    const bobHandle = handles.get('bob')!;
    const headsBefore = bobHandle.heads();
    let received = 0;
    bobHandle.on('change', () => received++);
    handles.get('alice')!.change((d) => void d.notes.push('after-removal'));
    handles.get('carol')!.change((d) => void d.notes.push('carol-after'));
    await until('alice and carol converge after the removal', () => notes('alice').includes('carol-after') && same('alice', 'carol'));
    await quietPeriod();
    expect(received).toBe(0);
    expect(bobHandle.heads()).toEqual(headsBefore);
    expect(notes('bob')).not.toContain('after-removal');

    bobHandle.change((d) => void d.notes.push('bob-after-removal'));
    await quietPeriod();
    expect(notes('alice')).not.toContain('bob-after-removal');
    expect(notes('carol')).not.toContain('bob-after-removal');
  }, 120_000);
});

/** `repo.find` resolves once Kith delivered the document: flush Kith's network meanwhile. */
async function findWhileFlushing(repo: Repo, url: AutomergeUrl): Promise<DocHandle<Board>> {
  let found: DocHandle<Board> | undefined;
  let failed: unknown;
  repo.find<Board>(url).then(
    (h) => (found = h),
    (e: unknown) => (failed = e),
  );
  await until('the document is found', () => found !== undefined || failed !== undefined);
  if (found === undefined) throw failed;
  return found;
}
