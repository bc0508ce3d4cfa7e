import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { sharedDocId, type ConversationId, type UserId } from '@kith/core';
import { createKithWebSocket } from '@kith/core/y-websocket';
import { lookupAll, type SyncPeer } from '@kith/core/testing';
import { createChildRelayHarness, type ChildRelayHarness } from '../harness/presets.js';

/*
 * ADR 0025: an UNMODIFIED y-websocket WebsocketProvider per member, each in its own engine, syncing
 * through a relay child process. The app's only change is the `WebSocketPolyfill` option.
 */

let world: ChildRelayHarness;
let conv: ConversationId;
let ids: Map<string, UserId>;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  world = await createChildRelayHarness('y-websocket-dropin');
  for (const name of ['alice', 'bob', 'carol']) await world.addPeer(name);
  ids = await lookupAll(['alice', 'bob', 'carol'], (n) => world.peer(n));
  const g = await world.peer('alice').kith.groups.create({ name: 'G', members: [ids.get('bob')!, ids.get('carol')!] });
  conv = g.id;
  await world.flush();
}, 120_000);

afterAll(async () => {
  for (const p of providers) p.destroy();
  await world?.close();
});

/** The app's code, with Kith's polyfill: each peer's own server url, so no BroadcastChannel links them in this one process. */
function provide(peer: SyncPeer, doc: Y.Doc): WebsocketProvider {
  const WebSocketPolyfill = createKithWebSocket({ kith: peer.kith, sync: peer.sync, conversation: conv });
  const p = new WebsocketProvider(`wss://${peer.name}.example`, 'shared-note', doc, { WebSocketPolyfill: WebSocketPolyfill as unknown as typeof WebSocket });
  providers.push(p);
  return p;
}

/** Kith's network until quiet, then the providers' in-process frames (microtasks and a macrotask turn). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await world.flush();
    await new Promise((r) => setImmediate(r));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('an unmodified y-websocket provider over Kith (ADR 0025, DOC-5/DOC-6)', () => {
  const docs = new Map<string, Y.Doc>();
  const provs = new Map<string, WebsocketProvider>();
  const text = (name: string): string => docs.get(name)!.getText('t').toJSON();

  it('DOC-5: two providers sync concurrent Y.Text edits, then a third joins; awareness arrives', async () => {
    for (const name of ['alice', 'bob']) {
      docs.set(name, new Y.Doc());
      provs.set(name, provide(world.peer(name), docs.get(name)!));
    }
    await settle();
    expect(provs.get('alice')!.wsconnected).toBe(true);
    docs.get('alice')!.getText('t').insert(0, 'CANARY-alice-e1d2 ');
    docs.get('bob')!.getText('t').insert(0, 'CANARY-bob-77aa ');
    provs.get('alice')!.awareness.setLocalStateField('user', { name: 'alice', cursor: 3 });
    await settle();
    expect(text('alice')).toBe(text('bob'));
    expect(text('alice')).toContain('alice-e1d2');
    expect(text('alice')).toContain('bob-77aa');
    const aliceClient = docs.get('alice')!.clientID;
    expect(provs.get('bob')!.awareness.getStates().get(aliceClient)).toEqual({ user: { name: 'alice', cursor: 3 } });

    docs.set('carol', new Y.Doc());
    provs.set('carol', provide(world.peer('carol'), docs.get('carol')!));
    await settle();
    expect(text('carol')).toBe(text('alice'));
    provs.get('carol')!.awareness.setLocalStateField('user', { name: 'carol' });
    await settle();
    expect(provs.get('alice')!.awareness.getStates().get(docs.get('carol')!.clientID)).toEqual({ user: { name: 'carol' } });
  }, 120_000);

  it('DOC-7: a provider whose device is offline keeps editing and catches up; everyone converges', async () => {
    world.setOnline('carol', false);
    docs.get('carol')!.getText('t').insert(0, 'CANARY-carol-offline-0b9e ');
    docs.get('alice')!.getText('t').insert(text('alice').length, ' CANARY-alice-while-carol-away');
    await settle();
    expect(text('alice')).toBe(text('bob'));
    expect(text('alice')).not.toContain('carol-offline');
    world.setOnline('carol', true);
    await world.flush({ until: 'upToDate' });
    await settle();
    for (const name of ['bob', 'carol']) expect(text(name)).toBe(text('alice'));
    expect(text('alice')).toContain('carol-offline-0b9e');
  }, 120_000);

  it('DOC-5: the relay data directory holds no plaintext of any edit or awareness state', async () => {
    await world.flush();
    const files = filesUnder(world.relay.dataDir);
    expect(files.length).toBeGreaterThan(0);
    let hits = 0;
    // Positive control: the scan reads what the relay stored (the document id is public metadata).
    const id = Buffer.from(sharedDocId(conv, 'shared-note', { writers: 'members', backend: 'yjs' }));
    expect(files.some((f) => readFileSync(f).includes(id))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const canary of ['CANARY', 'alice-e1d2', 'bob-77aa', 'carol-offline', 'cursor']) if (bytes.includes(Buffer.from(canary))) hits++;
    }
    expect(hits).toBe(0);
  }, 60_000);

  it('DOC-4: a removed member\'s provider receives 0 new updates', async () => {
    await world.peer('alice').kith.groups.removeMember(conv, ids.get('bob')!);
    await settle();
    let received = 0;
    docs.get('bob')!.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin === provs.get('bob')) received++;
    });
    docs.get('alice')!.getText('t').insert(0, 'after-removal ');
    docs.get('carol')!.getText('t').insert(0, 'carol-after ');
    await settle();
    expect(text('carol')).toBe(text('alice'));
    expect(text('alice')).toContain('after-removal');
    expect(provs.get('bob')!.wsconnected).toBe(true);
    expect(received).toBe(0);
    expect(text('bob')).not.toContain('after-removal');
  }, 120_000);
});
