import { Repo, type DocHandle } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { createCounter, type Counter } from '../counter.js';
import type { ChatPair, ChatSystem } from '../pair.js';
import { startChildServer } from '../servers/child-server.js';

interface Chat {
  messages: { text: string }[];
}

const follow = (handle: DocHandle<Chat>, shown: Counter): void => {
  const count = (doc: Chat | undefined): void => shown.set(doc?.messages.length ?? 0);
  handle.on('change', ({ doc }) => count(doc));
  count(handle.doc());
};

const client = (url: string): Repo => new Repo({ network: [new WebSocketClientAdapter(url)] });

/** automerge-repo clients (one document, a list of messages) against a Repo behind the websocket server adapter, in a child process. */
export const automergeSystem: ChatSystem = {
  name: 'automerge-repo',
  async open(): Promise<ChatPair> {
    const server = await startChildServer('./automerge-server.ts');
    const shown = createCounter();
    const seenByServer = createCounter();
    const senderRepo = client(server.url);
    const handle = senderRepo.create<Chat>({ messages: [] });
    let recipientRepo = client(server.url);
    follow(await recipientRepo.find<Chat>(handle.url), shown);
    const witnessRepo = client(server.url);
    follow(await witnessRepo.find<Chat>(handle.url), seenByServer);
    let saved: Uint8Array | undefined;
    return {
      shown,
      send(text) {
        handle.change((d) => void d.messages.push({ text }));
        return Promise.resolve();
      },
      async recipientOffline() {
        // The app closes; its document stays on the device (exported, imported on reopen).
        saved = await recipientRepo.export(handle.url);
        await recipientRepo.shutdown();
      },
      serverHasAll: (sent, timeoutMs) => seenByServer.until(sent, timeoutMs, 'the automerge-repo witness'),
      recipientOnline() {
        if (saved === undefined) throw new Error('recipientOnline before recipientOffline');
        recipientRepo = client(server.url);
        follow(recipientRepo.import<Chat>(saved, { docId: handle.documentId }), shown);
        return Promise.resolve();
      },
      async close() {
        for (const r of [senderRepo, recipientRepo, witnessRepo]) await r.shutdown().catch(() => undefined);
        await server.stop();
      },
    };
  },
};
