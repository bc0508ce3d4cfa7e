import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { seedFromEnv, withSeed } from '@kith/core/testing';
// TODO(exports): the relay's child-process helper is not exported by @kith/relay (reused, not duplicated).
import { startChildRelay, type ChildRelay } from '../../../relay/src/server/child-relay.js';
import type { RelayFetch, Transport } from '../../../core/src/ports/transport.js';
import { createWebSocketTransport, type WebSocketConstructor } from '../../../core/src/transport/index.js';
import type { ConversationId } from '../../../core/src/ids.js';
import { createE2eWorld, type E2eWorld } from '../harness/e2e-world.js';
import { checkHistory, createHistory } from '../harness/history.js';
import { lookupAll } from '../harness/lookup-all.js';

let world: E2eWorld | undefined;
let relay: ChildRelay | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (relay !== undefined && relay.child.exitCode === null && relay.child.signalCode === null) {
    relay.child.kill('SIGTERM');
    await relay.exited;
  }
  relay = undefined;
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

const NAMES = ['alice', 'bob', 'carol'] as const;

describe('faults: a child-process relay (SQLite, FULL) SIGKILLed while peers write', () => {
  it('loses no acknowledged message and duplicates none (direct conversations, real sockets)', async () => {
    const seed = seedFromEnv('child-relay-sigkill');
    await withSeed(seed, async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'kith-e2e-kill-'));
      relay = await startChildRelay(dataDir, { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' });
      // Peers follow whichever relay process is running now (it listens on a new port after a restart).
      const fetchNow: RelayFetch = (path, init) => fetch(`${relay!.url}${path}`, init);
      const transport: Transport = {
        fetch: fetchNow,
        connect: (h) => createWebSocketTransport({ url: relay!.url, WebSocket: WebSocket as unknown as WebSocketConstructor }).connect(h),
      };
      const w = await createE2eWorld(seed, 'yjs', { fetch: fetchNow, transport });
      world = w;
      for (const n of NAMES) await w.addPeer(n);
      await lookupAll(NAMES, (n) => w.peer(n));
      const alice = w.peer('alice');
      const convs = new Map<string, ConversationId>();
      for (const n of ['bob', 'carol'] as const) {
        convs.set(n, (await alice.kith.conversations.openDirect(w.peer(n).kith.user)).id);
        await w.peer(n).kith.conversations.openDirect(alice.kith.user);
      }
      const rnd = w.random.fork('kills');
      const history = createHistory();
      let kills = 0;
      for (let i = 0; i < 60; i++) {
        const sender = w.peer(rnd.pick(NAMES));
        const conv = sender.name === 'alice' ? convs.get(rnd.pick(['bob', 'carol']))! : convs.get(sender.name)!;
        const op = history.invoke(sender.name, 'send', conv);
        const m = await sender.kith.messages.send(conv, `s${i}`);
        history.ok(op);
        history.ack({ conv, id: m.id, author: m.author });
        // Let frames reach the relay for a moment, then sometimes kill it mid-write.
        await new Promise((r) => setTimeout(r, rnd.int(8)));
        w.clock.advance(1100);
        if (i % 20 === 19) {
          relay.child.kill('SIGKILL');
          expect(await relay.exited).toBe('SIGKILL');
          kills++;
          relay = await startChildRelay(dataDir, { KITH_CONN_RATE: '0', KITH_ACCOUNT_RATE: '0' });
        }
      }
      await w.flush(2000);
      const finals = [];
      const members = new Map<string, Set<string>>();
      for (const [n, conv] of convs) {
        members.set(conv, new Set([alice.kith.user, w.peer(n).kith.user]));
        for (const p of [alice, w.peer(n)]) finals.push({ peer: p.name, conv, messages: (await p.kith.messages.page(conv, { limit: 500 })).map((m) => ({ id: m.id, author: m.author })) });
      }
      const check = checkHistory(history, finals, members, new Map(NAMES.map((n) => [n, w.peer(n).kith.user as string])));
      const outbox = NAMES.reduce((s, n) => s + w.peer(n).kith.outbox().length, 0);
      console.log(`child-relay-sigkill: seed=${seed} SIGKILLs ${kills}, acknowledged ${check.acked}, lost ${check.lost.length}, duplicated ${check.duplicated.length}, reordered ${check.reordered.length}, outbox left ${outbox}`);
      expect(check.ok).toBe(true);
      expect(outbox).toBe(0);
      expect(kills).toBe(3);
    });
  }, 120_000);
});
