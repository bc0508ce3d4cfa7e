// Issue 14 item 2 (ADR 0022): a recipient N messages behind reconnects, with and without the
// author's snapshots of closed chunks; relay stored bytes and device stored bytes against one Yjs
// document holding the same messages. Writes the `compaction` section of docs/benchmarks.md.
//   pnpm --filter @kith/bench compaction   (BENCH_CATCHUP=… to resize, COMPACTION_ROUNDS=… interleaved pairs)
import * as Y from 'yjs';
import { createSodiumCrypto, type ConversationId, type MessageId } from '@kith/core';
import { writeBenchSection } from '../../scripts/bench-report.js';
import { chatText, benchSizes } from './config.js';
import { createCounter, pollUntil } from './counter.js';
import { openKithDevice, type KithDevice } from './kith/kith-device.js';
import { startBenchRelay } from './kith/kith-relay.js';
import { loadAverage, machineLine } from './machine.js';

const { catchup: n, messageBytes } = benchSizes();
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const crypto = await createSodiumCrypto();
const loadBefore = loadAverage();

interface Figures {
  readonly catchupMs: number;
  readonly received: number;
  readonly relayBytes: number;
  readonly deviceBytes: number;
  readonly deviceFeedBytes: number;
}

async function storedBytes(d: KithDevice): Promise<{ all: number; feed: number }> {
  let all = 0;
  let feed = 0;
  for (const id of await d.storage.listDocs('')) {
    const doc = await d.storage.loadDoc(id);
    const b = (doc?.snapshot?.length ?? 0) + (doc?.updates ?? []).reduce((s, u) => s + u.length, 0);
    all += b;
    if (id.startsWith('feed:')) feed += b;
  }
  return { all, feed };
}

async function relayEnvelopeBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /kith_relay_bytes_stored\{kind="envelopes"\} (\d+)/.exec(text);
  return m === null ? Number.NaN : Number(m[1]);
}

async function run(compaction: boolean, tag: string): Promise<Figures> {
  const relay = await startBenchRelay();
  const errors: string[] = [];
  const alice = await openKithDevice(relay.url, crypto, `alice_${tag}`, errors, { compaction });
  const bob = await openKithDevice(relay.url, crypto, `bob_${tag}`, errors, { compaction });
  try {
    const conv: ConversationId = (await alice.kith.conversations.openDirect(await alice.lookup(bob.username))).id;
    await bob.lookup(alice.username);
    const shown = createCounter();
    const seen = new Set<MessageId>();
    bob.kith.on('message', (e) => {
      if (e.conversation !== conv || seen.has(e.message.id)) return;
      seen.add(e.message.id);
      shown.set(seen.size);
    });
    await alice.kith.messages.send(conv, chatText('warm-up', 0, messageBytes));
    await shown.until(1, 60_000, 'warm-up');
    await bob.sync.stop();
    for (let i = 0; i < n; i++) await alice.kith.messages.send(conv, chatText('catch-up', i, messageBytes));
    await pollUntil(() => alice.kith.outbox().length === 0, 900_000, "alice's outbox");
    // The snapshots of the last closed chunks leave after their chunk's acks and echoes.
    await new Promise((r) => setTimeout(r, 1500));
    await pollUntil(() => alice.kith.outbox().length === 0, 900_000, "alice's snapshots");
    const before = bob.sync.stats.received;
    const t = performance.now();
    bob.sync.start();
    await shown.until(n + 1, 900_000, 'catch-up');
    const catchupMs = performance.now() - t;
    await bob.sync.idle();
    const device = await storedBytes(bob);
    if (errors.length > 0) throw new Error(errors.join('; '));
    return { catchupMs, received: bob.sync.stats.received - before, relayBytes: await relayEnvelopeBytes(relay.url), deviceBytes: device.all, deviceFeedBytes: device.feed };
  } finally {
    await alice.close();
    await bob.close();
    await relay.stop();
  }
}

/** The same messages in one Yjs document, one transaction each (id → {text, author, at}). */
function oneYjsDoc(): number {
  const doc = new Y.Doc();
  const map = doc.getMap('msg');
  const author = '4bb29a26-4656-864c-a3ba-395f990c1a23';
  for (let i = 0; i <= n; i++) {
    const id = `0193a1b2-${i.toString(16).padStart(4, '0')}-7000-8000-${(1e11 + i).toString(16).padStart(12, '0')}`;
    map.set(id, { text: chatText(i === 0 ? 'warm-up' : 'catch-up', i === 0 ? 0 : i - 1, messageBytes), author, at: 1_765_000_000_000 + i });
  }
  return Y.encodeStateAsUpdate(doc).length;
}

const results: Array<[string, Figures]> = [];
const pairs = Number(process.env['COMPACTION_ROUNDS'] ?? '1');
const plan = Array.from({ length: Number.isSafeInteger(pairs) && pairs > 0 ? pairs : 1 }, () => [['without compaction', false], ['with compaction', true]] as const).flat();
for (const [label, compaction] of plan) {
  const f = await run(compaction, `${label.startsWith('with ') ? 'c' : 'n'}${results.length}`);
  results.push([label, f]);
  log(`${label}: catch-up ${f.catchupMs.toFixed(0)} ms, ${f.received} envelopes; relay ${f.relayBytes} B; device ${f.deviceBytes} B (feeds ${f.deviceFeedBytes} B)`);
}
const yjs = oneYjsDoc();
log(`one Yjs doc of the same ${n + 1} messages: ${yjs} B`);

const mib = (b: number): string => `${(b / 1048576).toFixed(2)} MiB`;
const rows = results.map(([label, f]) => `| ${label} | ${(f.catchupMs / 1000).toFixed(2)} s | ${f.received.toLocaleString('en-US')} | ${mib(f.relayBytes)} (${(f.relayBytes / yjs).toFixed(2)}×) | ${mib(f.deviceFeedBytes)} (${(f.deviceFeedBytes / yjs).toFixed(2)}×) | ${mib(f.deviceBytes)} |`);
const md = [
  '## Compaction: author snapshots of closed chunks (bench/src/compaction.ts, ADR 0022)',
  '',
  `A recipient ${n.toLocaleString('en-US')} messages behind (${messageBytes}-byte texts, one \`messages.send\` each, a direct chat, 1,000-message chunks) reconnects; the full client`,
  'stack of § side by side (Dexie on fake-indexeddb, decode sandbox, vault, sync client) against the relay child process (SQLite, FULL).',
  '"With compaction" is the default (`compaction: true`): the author pushes a snapshot of each closed chunk with `supersedes` (SNAP-4).',
  '"Envelopes" counts what the recipient opened and applied on reconnect. Relay bytes are the stored envelopes (`kith_relay_bytes_stored`;',
  'the relay also keeps one `compacted` row of (doc, author, device, counter, hash, seq) per dropped envelope — two hex keys, a hash and three integers; not counted here).',
  `Device bytes are the engine's stored documents (snapshot + update records; IndexedDB overhead not counted). Reference: one Yjs document of the same ${(n + 1).toLocaleString('en-US')} messages`,
  `(a Y.Map id → {text, author, at}, one transaction each): ${mib(yjs)}.`,
  '',
  '| run | catch-up → last shown | envelopes applied | relay envelope bytes (× one Yjs doc) | device feed bytes (× one Yjs doc) | device bytes, all docs |',
  '|---|---|---|---|---|---|',
  ...rows,
  '',
  `Machine: ${machineLine()}. **Shared with other work while it ran** (6 other helpers on 2 cores): load average ${loadBefore} before, ${loadAverage()} after.`,
].join('\n');
log(md);
writeBenchSection('compaction', md);
process.exit(0);
