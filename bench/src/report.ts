import type { ChatFigures } from './chat-workloads.js';
import type { ColdFigures } from './cold/cold-open.js';
import type { BenchSizes } from './config.js';
import type { FanoutFigures } from './fanout/fanout.js';
import { median } from './stats.js';

export interface BenchResults {
  readonly sizes: BenchSizes;
  readonly chat: Record<'kith' | 'yjs' | 'automerge', ChatFigures[]>;
  readonly fanout: Record<'kith' | 'yjs' | 'naive', FanoutFigures[]>;
  readonly cold: { readonly yjs: ColdFigures; readonly automerge: ColdFigures; readonly kith: { cold: string; page: string; heap: string; machine: string } | undefined };
  readonly machine: string;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly minutes: number;
}

const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '—');
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(2)} ms`);
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const med = <T>(xs: readonly T[], f: (x: T) => number): number => median(xs.map(f));

/** The `peers` section of docs/benchmarks.md. */
export function peersMarkdown(r: BenchResults): string {
  const { sizes: s, chat, fanout } = r;
  const rate = (k: keyof typeof chat): number => med(chat[k], (x) => x.sustainedPerS);
  const p50 = (k: keyof typeof chat): number => med(chat[k], (x) => x.latencyP50);
  const p99 = (k: keyof typeof chat): number => med(chat[k], (x) => x.latencyP99);
  const catchup = (k: keyof typeof chat): number => med(chat[k], (x) => x.catchupMs);
  const ups = (k: keyof typeof fanout): number => med(fanout[k], (x) => x.updates / (x.ms / 1000));
  const dps = (k: keyof typeof fanout): number => med(fanout[k], (x) => x.deliveries / (x.ms / 1000));
  const kc = r.cold.kith;
  const rows = [
    `| one sender → one recipient, sustained until all shown (${n0(s.sustained)} messages), msg/s ↑ | ${n0(rate('kith'))} | ${n0(rate('yjs'))} | ${n0(rate('automerge'))} | ${ratio(rate('kith'), rate('yjs'))} | ${ratio(rate('kith'), rate('automerge'))} |`,
    `| send → shown one at a time, p50 (${s.latencySamples} samples) ↓ | ${ms(p50('kith'))} | ${ms(p50('yjs'))} | ${ms(p50('automerge'))} | ${ratio(p50('kith'), p50('yjs'))} | ${ratio(p50('kith'), p50('automerge'))} |`,
    `| send → shown one at a time, p99 ↓ | ${ms(p99('kith'))} | ${ms(p99('yjs'))} | ${ms(p99('automerge'))} | ${ratio(p99('kith'), p99('yjs'))} | ${ratio(p99('kith'), p99('automerge'))} |`,
    `| a device ${n0(s.catchup)} messages behind reconnects → last shown ↓ | ${ms(catchup('kith'))} | ${ms(catchup('yjs'))} | ${ms(catchup('automerge'))} | ${ratio(catchup('kith'), catchup('yjs'))} | ${ratio(catchup('kith'), catchup('automerge'))} |`,
    `| relay fan-out, ${s.fanoutSubscribers} subscribers, ${s.fanoutSenders} senders × ${s.fanoutPerSender}: updates/s ↑ (deliveries/s) | ${n0(ups('kith'))} (${n0(dps('kith'))}) | ${n0(ups('yjs'))} (${n0(dps('yjs'))}); naive \`ws\` broadcast ${n0(ups('naive'))} (${n0(dps('naive'))}) | — | ${ratio(ups('kith'), ups('yjs'))}; vs naive ${ratio(ups('kith'), ups('naive'))} | — |`,
    `| cold open, latest 50 of ${n0(s.coldHistory)} (fresh process) ↓ | ${kc === undefined ? '— (no § domain figures)' : `${kc.cold} + ${kc.page} page, ${kc.heap} heap (of 100,000; § domain)`} | ${ms(r.cold.yjs.ms)}, ${r.cold.yjs.heapMb.toFixed(1)} MiB heap (whole doc, ${(r.cold.yjs.bytes / 2 ** 20).toFixed(1)} MiB) | ${ms(r.cold.automerge.ms)}, ${r.cold.automerge.heapMb.toFixed(1)} MiB heap (whole doc, ${(r.cold.automerge.bytes / 2 ** 20).toFixed(1)} MiB; **of ${n0(s.coldHistoryAutomerge)} only**) | | |`,
  ];
  const perRound = (k: keyof typeof chat): string => chat[k].map((x) => `${n0(x.sustainedPerS)} msg/s · p50 ${ms(x.latencyP50)} · p99 ${ms(x.latencyP99)} · catch-up ${ms(x.catchupMs)}`).join('; ');
  const fanRound = (k: keyof typeof fanout): string => fanout[k].map((x) => `${n0(x.updates / (x.ms / 1000))} updates/s`).join('; ');
  return `## Side by side: Kith, y-websocket, automerge-repo (bench/)

\`pnpm --filter @kith/bench bench\` (part of \`pnpm bench\`; \`BENCH_QUICK=1\` for a smoke-sized run). Issue 14 § 6.
Every server is a **child process** of the bench, so all three pay the same inter-process costs:

- **Kith**: two full client stacks as an app runs them — \`createKith\` (Yjs) on Dexie over fake-indexeddb
  (\`@kith/core/dexie\`), a WebCrypto vault keyed in IndexedDB, remote updates vetted in the decode sandbox
  (\`createNodeWorkerHost\`, \`@kith/core/node\`) and the sync client over a WebSocket — in a direct chat, against
  the relay entry (\`startChildRelay\`, \`@kith/relay\`) with its **default durability** (SQLite \`synchronous=FULL\`:
  an ack follows its fsync) and \`KITH_CONN_RATE=0 KITH_ACCOUNT_RATE=0\` (the CLI reads 0 as "no limit").
- **y-websocket**: \`y-websocket\` providers (plain \`Y.Doc\`s, one \`Y.Array\` push per message) against
  \`@y/websocket-server\`'s \`setupWSConnection\`, plaintext, no persistence.
- **automerge-repo**: \`Repo\`s with \`WebSocketClientAdapter\` (one \`handle.change\` per message), against a
  \`Repo\` behind \`NodeWSServerAdapter\`, no storage.

Runs are interleaved (Kith, y-websocket, automerge-repo, then again) over **${s.rounds} round(s)**; figures are medians.
"Shown" = the recipient's own event (Kith: \`message\`; Yjs: the array's \`observe\`; automerge: the handle's \`change\`);
every wait is on such an event with a deadline (no event-loop spinning). Messages are ~${s.messageBytes} bytes of text.
Ratio = Kith ÷ peer (↑: higher is better for Kith, ↓: lower is better).

| workload | Kith | y-websocket | automerge-repo | Kith / y-websocket | Kith / automerge-repo |
|---|---|---|---|---|---|
${rows.join('\n')}

How each was measured:
- **Catch-up**: the recipient goes offline (Kith: \`sync.stop()\`; y-websocket: \`provider.disconnect()\`; automerge:
  its repo exports the document and shuts down), the sender sends ${n0(s.catchup)} one call each, the bench waits
  until the server holds them all (Kith: the sender's outbox is empty, i.e. every push durably acknowledged;
  peers: a third, always-online client shows them all), then times reconnect (\`sync.start()\` / \`connect()\` /
  a new repo importing the saved document) → the last message shown.
- **Fan-out** measures the servers at the wire: subscribers are plain sockets that count delivered updates
  (no client document); senders push pre-built frames, pipelined. Kith: each sender is an account pushing
  validly signed envelopes (\`@kith/relay/testing\`, 200-byte bodies) to its feed document, every push
  durably acknowledged; each subscriber holds the conversation's read capability and subscribes to the four
  feeds. y-websocket and the naive \`ws\` broadcast server (forwards every frame to every other socket) get
  the same frames: each one Y.Array push as a y-websocket sync message. automerge-repo: not measured.
- **Cold open**: Kith's figure is **not re-run here**; it is core/bench/domain.bench.ts's (yjs backend,
  100,000 messages, fresh process: \`createKith\` over the stored engine, then the latest 50)${kc === undefined ? '' : `, from its run on ${kc.machine}`}.
  The peers' figure is measured here: a document of ${n0(s.coldHistory)} messages (automerge: ${n0(s.coldHistoryAutomerge)} — building
  100,000 single-message changes did not finish in 25 minutes on this machine), one transaction/change each,
  saved to a file, then loaded whole in a fresh process and its last 50 read.

Per round — Kith: ${perRound('kith')}. y-websocket: ${perRound('yjs')}. automerge-repo: ${perRound('automerge')}.
Fan-out per round — Kith: ${fanRound('kith')}; y-websocket: ${fanRound('yjs')}; naive: ${fanRound('naive')}.

Machine: ${r.machine}. **Shared with other work while it ran**: load average (1 / 5 / 15 min) ${r.loadBefore} before,
${r.loadAfter} after; the whole run took ${r.minutes.toFixed(1)} min.`;
}
