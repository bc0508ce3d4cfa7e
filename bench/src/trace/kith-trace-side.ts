import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { createSodiumCrypto, type ConversationId, type CryptoPort } from '@kith/core';
import { createKithWebSocket } from '@kith/core/y-websocket';
import { startChildRelay } from '@kith/relay';
import { pollUntil } from '../counter.js';
import { openKithDevice, type KithDevice } from '../kith/kith-device.js';
import { UNLIMITED_RATES } from '../kith/kith-relay.js';
import { waitForText, type TraceSide } from './trace-side.js';

let crypto: CryptoPort | undefined;
let runs = 0;

/** Bytes of every file under `dir` (the relay's SQLite database, its WAL and blobs). */
export function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const path = join(dir, name);
    const st = statSync(path);
    return sum + (st.isDirectory() ? dirBytes(path) : st.size);
  }, 0);
}

async function relayEnvelopeBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /kith_relay_bytes_stored\{kind="envelopes"\} (\d+)/.exec(text);
  return m === null ? Number.NaN : Number(m[1]);
}

async function withDeadline(p: Promise<void>, ms: number, what: () => string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`bench trace: ${what()}`)), ms)));
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The app's code with Kith's polyfill; each device its own server url (no BroadcastChannel between them). */
function provide(device: KithDevice, conversation: ConversationId, room: string, doc: Y.Doc): Promise<WebsocketProvider> {
  const WebSocketPolyfill = createKithWebSocket({ kith: device.kith, sync: device.sync, conversation });
  const provider = new WebsocketProvider(`wss://${device.username}.example`, room, doc, { WebSocketPolyfill: WebSocketPolyfill as unknown as typeof WebSocket });
  return new Promise((resolve) => {
    if (provider.synced) resolve(provider);
    else provider.once('sync', () => resolve(provider));
  });
}

/**
 * Kith: the same unmodified `WebsocketProvider` with `createKithWebSocket`, each side a full
 * client stack (`openKithDevice`: engine on Dexie over fake-indexeddb, vault, decode sandbox,
 * sync client) in a direct chat, against the relay entry as a child process with its default
 * durability (SQLite `synchronous=FULL`). `nodeArgs` go to the relay child (e.g. `--cpu-prof`).
 */
export function kithTraceSide(nodeArgs: readonly string[] = []): TraceSide {
  return {
    name: 'Kith',
    async open() {
      crypto ??= await createSodiumCrypto();
      const dataDir = mkdtempSync(join(tmpdir(), 'kith-bench-trace-'));
      const relay = await startChildRelay(dataDir, UNLIMITED_RATES, nodeArgs);
      const errors: string[] = [];
      const run = `${process.pid.toString(36)}${(runs++).toString(36)}`;
      const alice = await openKithDevice(relay.url, crypto, `alice_t${run}`, errors);
      const bob = await openKithDevice(relay.url, crypto, `bob_t${run}`, errors);
      const describe = (): string => `alice outbox ${alice.kith.outbox().length}, alice ${JSON.stringify(alice.sync.stats)}, bob ${JSON.stringify(bob.sync.stats)}; ${errors.join('; ')}`;
      const bobId = await alice.lookup(bob.username);
      await bob.lookup(alice.username);
      const conv = (await alice.kith.conversations.openDirect(bobId)).id;
      // Bob learns of the chat from alice's first message, as an app's user does (a concurrent
      // openDirect on his side too left him receiving nothing in about 1 of 3 runs here).
      const greeted = new Promise<void>((resolve) => bob.kith.on('message', (e) => e.conversation === conv && resolve()));
      await alice.kith.messages.send(conv, 'hello');
      await withDeadline(greeted, 120_000, () => `bob did not get alice's first message (${describe()})`);
      const senderDoc = new Y.Doc();
      const receiverDoc = new Y.Doc();
      const providers = [await provide(alice, conv, 'trace', senderDoc), await provide(bob, conv, 'trace', receiverDoc)];
      const stopRelay = async (): Promise<void> => {
        if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGTERM');
        await relay.exited;
      };
      const check = (): void => {
        if (errors.length > 0) throw new Error(`Kith sync failed internally: ${errors.join('; ')}`);
      };
      // Warm-up: one edit outside the text through the relay, so both devices follow the document.
      senderDoc.getMap('warm').set('up', 1);
      const warm = receiverDoc.getMap('warm');
      await withDeadline(warm.has('up') ? Promise.resolve() : new Promise<void>((resolve) => warm.observe(() => resolve())), 120_000, () => `the Kith warm-up edit did not arrive (${describe()})`);
      await pollUntil(() => alice.kith.outbox().length === 0, 120_000, "alice's warm-up ack");
      const baseline = dirBytes(dataDir);
      return {
        sender: senderDoc.getText('t'),
        async receiverHas(text, timeoutMs) {
          await waitForText(receiverDoc.getText('t'), text, timeoutMs, 'the Kith receiver');
          check();
        },
        async stored() {
          // Every push is acknowledged after its commit is durable: an empty outbox means all were.
          await pollUntil(() => alice.kith.outbox().length === 0, 900_000, "the relay's acks for alice's outbox");
          check();
          const primary = dirBytes(dataDir);
          const secondary = await relayEnvelopeBytes(relay.url);
          await stopRelay();
          return { primary, secondary, baseline, atRest: dirBytes(dataDir) };
        },
        async close() {
          for (const p of providers) p.destroy();
          senderDoc.destroy();
          receiverDoc.destroy();
          await alice.close();
          await bob.close();
          await stopRelay();
          rmSync(dataDir, { recursive: true, force: true });
          check();
        },
      };
    },
  };
}
