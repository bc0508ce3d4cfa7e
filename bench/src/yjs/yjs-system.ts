import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { createCounter, type Counter } from '../counter.js';
import type { ChatPair, ChatSystem } from '../pair.js';
import { startChildServer } from '../servers/child-server.js';

let runs = 0;

interface Peer {
  readonly doc: Y.Doc;
  readonly list: Y.Array<{ text: string }>;
  readonly provider: WebsocketProvider;
}

/** A Y.Doc synced through the server. `disableBc`: two providers in one process would otherwise
 *  also sync over a BroadcastChannel, around the server. */
async function peer(url: string, room: string, shown?: Counter): Promise<Peer> {
  const doc = new Y.Doc();
  const list = doc.getArray<{ text: string }>('messages');
  if (shown !== undefined) list.observe(() => shown.set(list.length));
  const provider = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
  await new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', () => resolve());
  });
  return { doc, list, provider };
}

/** y-websocket clients (plain Y.Docs) against `@y/websocket-server` in a child process, plaintext, no persistence. */
export const yjsSystem: ChatSystem = {
  name: 'y-websocket',
  async open(): Promise<ChatPair> {
    const server = await startChildServer('./y-websocket-server.ts');
    const room = `bench-${runs++}`;
    const shown = createCounter();
    const seenByServer = createCounter();
    const sender = await peer(server.url, room);
    const recipient = await peer(server.url, room, shown);
    // A witness that never goes offline: when it shows everything, the server has it.
    const witness = await peer(server.url, room, seenByServer);
    return {
      shown,
      send(text) {
        sender.list.push([{ text }]);
        return Promise.resolve();
      },
      recipientOffline() {
        recipient.provider.disconnect();
        return Promise.resolve();
      },
      serverHasAll: (sent, timeoutMs) => seenByServer.until(sent, timeoutMs, 'the y-websocket witness'),
      recipientOnline() {
        void recipient.provider.connect();
        return Promise.resolve();
      },
      async close() {
        for (const p of [sender, recipient, witness]) {
          p.provider.destroy();
          p.doc.destroy();
        }
        await server.stop();
      },
    };
  },
};
