import { Repo, type AutomergeUrl, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId, DocChange } from '@kith/core';
import { automergeSharedDocs } from '@kith/core/automerge';
import { KithNetworkAdapter, sharedDocNameOf } from '@kith/core/automerge-repo';
import { lookupAll, type SyncPeer } from '@kith/core/testing';
import { createMemoryHarness, type InProcessHarness } from '../harness/presets.js';

/*
 * ADR 0026 decision 5: the virtual server follows a rebuilt shared document (a removal cut a change
 * it had applied, DOC-4) and the repo keeps syncing; an adapter disconnected and connected again
 * resumes. The in-process relay here; the relay child process is test/src/e2e/automerge-repo-adapter.test.ts.
 */

type Board = Record<string, string>;

let world: InProcessHarness | undefined;
const repos: Repo[] = [];
afterEach(async () => {
  for (const r of repos.splice(0)) await r.shutdown();
  await world?.close();
  world = undefined;
});

function repoOf(peer: SyncPeer, conversation: ConversationId): { repo: Repo; adapter: KithNetworkAdapter } {
  const adapter = new KithNetworkAdapter({ kith: peer.kith, sync: peer.sync, conversation });
  const repo = new Repo({ network: [adapter], peerId: `${peer.name}-repo` as PeerId });
  repos.push(repo);
  return { repo, adapter };
}

/** Flush Kith's network, then give the unmodified repos' 100 ms sync throttle real time (bounded poll). */
async function until(w: InProcessHarness, what: string, condition: () => boolean): Promise<void> {
  for (let round = 0; round < 300; round++) {
    if (condition()) return;
    await w.flush();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never reached: ${what}`);
}

async function find(w: InProcessHarness, repo: Repo, url: AutomergeUrl): Promise<DocHandle<Board>> {
  let found: DocHandle<Board> | undefined;
  void repo.find<Board>(url).then((h) => (found = h));
  await until(w, 'the document is found', () => found !== undefined);
  return found!;
}

const keys = (h: DocHandle<Board>): string[] => Object.keys(h.doc() ?? {}).sort();
const canonical = (h: DocHandle<Board>): string => JSON.stringify(Object.entries(h.doc() ?? {}).sort());

describe('the automerge-repo adapter on a rebuilt document and across reconnects (ADR 0026)', () => {
  it('DOC-11: after a removal rebuilds the shared document, the server resyncs its repo and later edits still flow both ways', async () => {
    const w = (world = await createMemoryHarness('automerge-repo-rebuild'));
    for (const name of ['alice', 'bob', 'carol']) await w.addPeer(name);
    const ids = await lookupAll(['alice', 'bob', 'carol'], (n) => w.peer(n));
    const g = await w.peer('alice').kith.groups.create({ name: 'G', members: [ids.get('bob')!, ids.get('carol')!] });
    await w.flush();
    const alice = repoOf(w.peer('alice'), g.id);
    const carol = repoOf(w.peer('carol'), g.id);
    const a = alice.repo.create<Board>({ start: 'alice' });
    const c = await find(w, carol.repo, a.url);

    // Bob edits through kith.docs directly (counter 1 reaches everyone), then, offline, a second
    // change that a modified client of his hands to carol alone, just before alice removes him.
    const bob = w.peer('bob');
    const shared = await bob.kith.docs.open(g.id, sharedDocNameOf(a.documentId), { backend: automergeSharedDocs });
    await until(w, 'bob has the document', () => shared.doc.doc()['start'] === 'alice');
    shared.doc.change((d) => void (d['bob1'] = 'bob'));
    await shared.flushed();
    await until(w, 'carol and alice have bob\'s first edit', () => keys(c).includes('bob1') && keys(a).includes('bob1'));
    w.setOnline('bob', false);
    let second: Uint8Array | undefined;
    automergeSharedDocs.onLocal(shared.doc, (p) => (second = p));
    shared.doc.change((d) => void (d['bob2'] = 'raced'));
    const raced: DocChange = { doc: shared.id, kind: 'update', author: ids.get('bob')!, device: bob.kith.device, counter: 2, payload: second! };
    expect(w.peer('carol').kith.receive(raced)).toMatchObject({ ok: true, value: 'applied' });
    await until(w, 'carol\'s repo shows the raced change', () => keys(c).includes('bob2'));

    const carolShared = await w.peer('carol').kith.docs.open(g.id, sharedDocNameOf(a.documentId), { backend: automergeSharedDocs });
    let rebuilt = 0;
    carolShared.onReplaced(() => rebuilt++);
    await w.peer('alice').kith.groups.removeMember(g.id, ids.get('bob')!);
    await w.flush();
    expect(rebuilt).toBe(1);
    // Carol's engine rebuilt the document without bob's change 2; her server resynced the repo,
    // whose own copy still had it: both sides agree and keep syncing.
    a.change((d) => void (d['alice-after'] = 'a'));
    c.change((d) => void (d['carol-after'] = 'c'));
    await until(w, 'alice and carol converge after the rebuild', () => keys(a).includes('carol-after') && keys(c).includes('alice-after') && canonical(a) === canonical(c));
    expect(keys(a)).toEqual(expect.arrayContaining(['alice-after', 'bob1', 'carol-after', 'start']));
    // Pinned known limit (ADR 0026 Consequences): carol's repo carried the cut change back as her
    // own edit. A fix (the server refusing the rebuilt-away hashes) changes this line.
    expect(keys(a)).toContain('bob2');
  }, 120_000);

  it('DOC-10: an adapter disconnected and connected again resumes; edits made meanwhile arrive', async () => {
    const w = (world = await createMemoryHarness('automerge-repo-reconnect'));
    for (const name of ['alice', 'bob']) await w.addPeer(name);
    const ids = await lookupAll(['alice', 'bob'], (n) => w.peer(n));
    const g = await w.peer('alice').kith.groups.create({ name: 'G', members: [ids.get('bob')!] });
    await w.flush();
    const alice = repoOf(w.peer('alice'), g.id);
    const bob = repoOf(w.peer('bob'), g.id);
    const a = alice.repo.create<Board>({ start: 'alice' });
    const b = await find(w, bob.repo, a.url);
    expect(alice.adapter.isReady()).toBe(true);

    bob.adapter.disconnect();
    expect(bob.adapter.isReady()).toBe(false);
    a.change((d) => void (d['while-away'] = 'a'));
    b.change((d) => void (d['bob-local'] = 'b'));
    await w.flush();
    bob.adapter.connect(`${w.peer('bob').name}-repo` as PeerId);
    await bob.adapter.whenReady();
    await until(w, 'both converge after the reconnect', () => keys(a).includes('bob-local') && keys(b).includes('while-away'));
    expect(a.doc()).toEqual(b.doc());
  }, 120_000);
});
