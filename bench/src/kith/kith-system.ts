import { createSodiumCrypto, type ConversationId, type CryptoPort, type MessageId } from '@kith/core';
import { createCounter, pollUntil } from '../counter.js';
import type { ChatPair, ChatSystem } from '../pair.js';
import { openKithDevice } from './kith-device.js';
import { startBenchRelay } from './kith-relay.js';

let crypto: CryptoPort | undefined;
let runs = 0;

/** Kith: two full client stacks (see `openKithDevice`) in a direct chat, against a relay child process. */
export const kithSystem: ChatSystem = {
  name: 'Kith',
  async open(): Promise<ChatPair> {
    crypto ??= await createSodiumCrypto();
    const relay = await startBenchRelay();
    const errors: string[] = [];
    const run = `${process.pid.toString(36)}${(runs++).toString(36)}`;
    const alice = await openKithDevice(relay.url, crypto, `alice_${run}`, errors);
    const bob = await openKithDevice(relay.url, crypto, `bob_${run}`, errors);
    const bobId = await alice.lookup(bob.username);
    await bob.lookup(alice.username);
    const conv: ConversationId = (await alice.kith.conversations.openDirect(bobId)).id;
    const shown = createCounter();
    const seen = new Set<MessageId>();
    bob.kith.on('message', (e) => {
      if (e.conversation !== conv || seen.has(e.message.id)) return;
      seen.add(e.message.id);
      shown.set(seen.size);
    });
    const check = (): void => {
      if (errors.length > 0) throw new Error(`Kith sync failed internally: ${errors.join('; ')}`);
    };
    return {
      shown,
      async send(text) {
        await alice.kith.messages.send(conv, text);
      },
      recipientOffline: () => bob.sync.stop(),
      async serverHasAll(_sent, timeoutMs) {
        // The relay acknowledges each push after its commit is durable; an empty outbox means all were.
        await pollUntil(() => alice.kith.outbox().length === 0, timeoutMs, "the relay's acks for alice's outbox");
        check();
      },
      pushed: () => alice.sync.stats.pushed,
      recipientOnline() {
        bob.sync.start();
        return Promise.resolve();
      },
      async close() {
        await alice.close();
        await bob.close();
        await relay.stop();
        check();
      },
    };
  },
};
