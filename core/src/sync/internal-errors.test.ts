import { describe, expect, it } from 'vitest';
import { createCrdtBackend } from '../crdt/index.js';
import { createIdentity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { KithError } from '../errors.js';
import { parseConversationId, type DeviceId } from '../ids.js';
import { createKith } from '../kith.js';
import { feedDocId } from '../model/doc-ids.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Transport } from '../ports/transport.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createMemoryStorage } from '../storage/memory/memory-storage.js';
import { createManualClock, createSeededRandom } from '../testing/index.js';
import { createMemoryVault } from '../vault/index.js';
import { createInternalErrors, type SyncErrorEvent } from './internal-errors.js';
import { createSyncClient } from './sync-client.js';
import type { SyncStats } from './sync-types.js';
import { createWorkQueue } from './work-queue.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;
const offline: Transport = {
  connect: () => ({ send: () => undefined, close: () => undefined }),
  fetch: () => Promise.reject(new TypeError('offline')),
};
const zeroStats = (): SyncStats => ({ pushed: 0, acked: 0, received: 0, envelopes: 0, rejected: 0, parked: 0, intros: 0, reconnects: 0, refused: 0, conflicts: 0, deferred: 0, equivocations: 0, undeliverable: 0 });

describe('SYNC-23: a thrown bug is surfaced, hostile input is counted', () => {
  it('SYNC-23: a typed KithError counts as rejected; any other throw is logged and emitted, not counted; the queue goes on', async () => {
    const stats = zeroStats();
    const logged: string[] = [];
    const errors = createInternalErrors(stats, { error: (message) => void logged.push(message) });
    const events: SyncErrorEvent[] = [];
    errors.listen((e) => events.push(e));
    errors.listen(() => {
      throw new Error('a throwing listener is skipped');
    });
    const ran: string[] = [];
    const work = createWorkQueue({ onFailure: (e) => errors.onFailure(e), onSettled: () => undefined });
    work.enqueue(() => Promise.reject(new KithError('malformed', 'hostile input')));
    work.enqueue(() => Promise.reject(new TypeError('a bug')));
    work.enqueue(() => Promise.resolve(void ran.push('after')));
    await work.idle();
    expect(stats.rejected).toBe(1);
    expect(events.map((e) => (e.error as Error).message)).toEqual(['a bug']);
    expect(logged).toHaveLength(1);
    expect(ran).toEqual(['after']);
    expect(work.pending).toBe(0);
  });

  it('SYNC-23: a bug while sealing reaches onError of the client (an EngineLink whose audience throws for feeds)', async () => {
    const crypto = await createSodiumCrypto();
    const identity = createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(7)) });
    const clock = createManualClock(1_700_000_000_000);
    const storage = createMemoryStorage();
    const kith = await createKith({ user: identity.userId, username: 'eve', device, backend: createCrdtBackend('automerge'), clock, random: createSeededRandom('bug-kith'), storage });
    let emit: ((change: DocChange) => void) | undefined;
    const engine: EngineLink = {
      backend: kith.backend,
      profile: kith.profile,
      onOutgoing: (l) => ((emit = l), () => undefined),
      receive: (c) => kith.receive(c),
      quarantine: (c, reason) => kith.quarantine(c, reason),
      membershipLog: (c) => kith.membershipLog(c),
      membershipGroups: () => kith.membershipGroups(),
      audience: (doc) => {
        if (doc.startsWith('feed:')) throw new TypeError('engine bug');
        return kith.audience(doc);
      },
      subscriptions: () => kith.subscriptions(),
      outbox: () => kith.outbox(),
      acknowledge: (c) => kith.acknowledge(c),
      commitAfterReceived: (w) => kith.commitAfterReceived(w),
      gaps: () => kith.gaps(),
      idle: () => kith.idle(),
    };
    const logged: unknown[] = [];
    const client = await createSyncClient({ kith: engine, identity, crypto, transport: offline, clock, random: createSeededRandom('s'), storage, vault: createMemoryVault(crypto), logger: { error: (_m, e) => void logged.push(e) } });
    const events: SyncErrorEvent[] = [];
    client.onError((e) => events.push(e));
    const conv = parseConversationId('22222222-2222-4222-8222-222222222222');
    emit?.({ doc: feedDocId(conv, identity.userId, 0), kind: 'update', author: identity.userId, device, counter: 1, payload: new Uint8Array([1]) });
    await client.idle();
    expect(events.map((e) => (e.error as Error).message)).toEqual(['engine bug']);
    expect(logged).toHaveLength(1);
    expect(client.stats.rejected).toBe(0);
    console.log(`SYNC-23: a thrown TypeError while sealing → ${events.length} error event(s), rejected ${client.stats.rejected}`);
  });
});
