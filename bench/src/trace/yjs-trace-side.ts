import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startChildServer } from '../servers/child-server.js';
import { waitForText, type TraceSide } from './trace-side.js';

let runs = 0;

function provide(url: string, room: string, doc: Y.Doc): Promise<WebsocketProvider> {
  // disableBc: two providers in one process would otherwise also sync over a BroadcastChannel.
  const provider = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
  return new Promise((resolve) => {
    if (provider.synced) resolve(provider);
    else provider.once('sync', () => resolve(provider));
  });
}

/** Plain y-websocket: two providers against `@y/websocket-server` in a child process (plaintext, no persistence). */
export const yjsTraceSide: TraceSide = {
  name: 'y-websocket',
  async open() {
    const server = await startChildServer('./y-websocket-server.ts');
    const room = `trace-${runs++}`;
    const senderDoc = new Y.Doc();
    const receiverDoc = new Y.Doc();
    let logBytes = 0;
    senderDoc.on('update', (u: Uint8Array) => (logBytes += u.length));
    const providers = [await provide(server.url, room, senderDoc), await provide(server.url, room, receiverDoc)];
    // Warm-up: one edit outside the text, through the server, before anything is timed.
    senderDoc.getMap('warm').set('up', 1);
    await new Promise<void>((resolve) => {
      const warm = receiverDoc.getMap('warm');
      if (warm.has('up')) resolve();
      else warm.observe(() => resolve());
    });
    logBytes = 0;
    return {
      sender: senderDoc.getText('t'),
      receiverHas: (text, timeoutMs) => waitForText(receiverDoc.getText('t'), text, timeoutMs, 'the y-websocket receiver'),
      stored() {
        // @y/websocket-server keeps the doc in memory only; the best a persisting server could
        // store is the encoded state (what y-leveldb writes when it compacts).
        return Promise.resolve({ primary: Y.encodeStateAsUpdate(receiverDoc).length, secondary: logBytes, baseline: 0, atRest: undefined });
      },
      async close() {
        for (const p of providers) p.destroy();
        senderDoc.destroy();
        receiverDoc.destroy();
        await server.stop();
      },
    };
  },
};
