import { median } from '../stats.js';
import type { EditingTrace } from './editing-trace.js';
import type { TraceFigures } from './run-trace-once.js';

export interface TraceResults {
  readonly trace: EditingTrace;
  readonly seed: number;
  readonly rounds: number;
  readonly opsPerTurn: number;
  readonly kith: readonly TraceFigures[];
  readonly yjs: readonly TraceFigures[];
  readonly machine: string;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly minutes: number;
  /** Set when the run took CPU profiles (`BENCH_TRACE_PROFILE`): where they went. */
  readonly profiles: string | undefined;
}

const n0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '—');
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const kib = (x: number): string => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KiB` : '—');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const med = (xs: readonly TraceFigures[], f: (x: TraceFigures) => number): number => median(xs.map(f));

/** The `trace` section of docs/benchmarks.md (issue 18). */
export function traceMarkdown(r: TraceResults): string {
  const { trace: t } = r;
  const got = (k: 'kith' | 'yjs'): number => med(r[k], (x) => x.receivedMs);
  const applied = (k: 'kith' | 'yjs'): number => med(r[k], (x) => x.appliedMs);
  const speed = got('yjs') / got('kith');
  const kDir = med(r.kith, (x) => x.stored.primary);
  const kBase = med(r.kith, (x) => x.stored.baseline);
  const kEnv = med(r.kith, (x) => x.stored.secondary);
  const kRest = med(r.kith, (x) => x.stored.atRest ?? Number.NaN);
  const yState = med(r.yjs, (x) => x.stored.primary);
  const yLog = med(r.yjs, (x) => x.stored.secondary);
  const perRound = (k: 'kith' | 'yjs'): string => r[k].map((x) => ms(x.receivedMs)).join(', ');
  return `## Shared-document editing trace (bench/src/trace/)

\`pnpm --filter @kith/bench bench\` (part of \`pnpm bench\`; alone: \`pnpm --filter @kith/bench bench:trace\`, \`BENCH_QUICK=1\` smoke-sized). Issue 18.

**The trace**: the B4 "automerge-paper" trace is not on the npm registry, so this is a **generated** one
(\`generateEditingTrace\`, seed ${r.seed}, the same every run): a person typing a ${n0(t.final.length)}-character document
one keystroke per edit, with backspaced typos, forward deletes, ${n0(t.jumps)} cursor jumps to revise earlier
text, selected ranges deleted and phrases pasted — ${n0(t.ops.length)} edits (${n0(t.inserts)} inserts, ${n0(t.deletes)} deletes).
Each edit is its own \`Y.Text\` transaction at the sender (as an editor binding makes them), ${r.opsPerTurn} per
macrotask turn; the clock runs from the first edit until the receiver's \`Y.Text\` equals the final text
(checked on its own \`observe\` events). The same unmodified \`y-websocket\` \`WebsocketProvider\` on both sides:

- **y-websocket**: two providers against \`@y/websocket-server\` (\`setupWSConnection\`) in a child process,
  plaintext, no persistence.
- **Kith**: \`WebsocketProvider(url, room, ydoc, { WebSocketPolyfill: createKithWebSocket({ kith, sync, conversation }) })\`
  (\`@kith/core/y-websocket\`, ADR 0025), two full client stacks as in § Side by side (\`createKith\` on Dexie
  over fake-indexeddb, WebCrypto vault, decode sandbox worker, sync client over a WebSocket) in a direct chat,
  against the relay entry as a child process with its **default durability** (SQLite \`synchronous=FULL\`; an ack
  follows its fsync). Every edit is a shared-document change the engine stores, seals and the relay stores.

Interleaved (Kith, y-websocket, then again) over **${r.rounds} round(s)**; medians.

| measure | Kith | y-websocket | Kith / y-websocket |
|---|---|---|---|
| all ${n0(t.ops.length)} edits applied at the other side ↓ | ${ms(got('kith'))} | ${ms(got('yjs'))} | ${ratio(got('kith'), got('yjs'))} time = **${speed.toFixed(2)}× y-websocket's speed** (target ≥ 0.5×: ${speed >= 0.5 ? '**met**' : '**not met**'}) |
| edits per second at the other side ↑ | ${n0(t.ops.length / (got('kith') / 1000))} | ${n0(t.ops.length / (got('yjs') / 1000))} | ${ratio(got('yjs'), got('kith'))} |
| the sender's own loop (edits applied locally) ↓ | ${ms(applied('kith'))} | ${ms(applied('yjs'))} | ${ratio(applied('kith'), applied('yjs'))} |
| bytes at the server once settled ↓ | relay data directory ${kib(kDir)} (${kib(kBase)} of it before the trace: accounts, chat, warm-up) | encoded document state ${kib(yState)}¹ | ${ratio(kDir, yState)} (data dir ÷ state) |
| … the relay stopped (WAL folded in) ↓ | data directory ${kib(kRest)} | — | ${ratio(kRest, yState)} |
| … an append-only store of every change ↓ | stored envelopes ${kib(kEnv)} | every update as sent ${kib(yLog)}² | ${ratio(kEnv, yLog)} |

Per round, other side has it all — Kith: ${perRound('kith')}; y-websocket: ${perRound('yjs')}.

¹ \`@y/websocket-server\` without \`YPERSISTENCE\` keeps the document in memory only; the encoded state
(\`Y.encodeStateAsUpdate\` of the receiver's doc) is the best a persisting server would store (what y-leveldb
keeps after it compacts). ² What an append-only update log (y-leveldb before its trim) would hold: the sum
of every update the sender's doc emitted. Kith's data directory is the relay's SQLite database and WAL as
they are on disk after every push is acknowledged (no checkpoint forced); "stored envelopes" is the relay's
\`kith_relay_bytes_stored{kind="envelopes"}\`. **Compaction does not apply**: author snapshots (ADR 0022,
SNAP-4) cover closed feed chunks only, not shared documents, so the relay keeps every sealed change of the
document; there is no after-compaction figure.${r.profiles === undefined ? '' : `\n\nCPU profiles of this run: ${r.profiles}.`}

Machine: ${r.machine}. **Shared with other work while it ran**: load average (1 / 5 / 15 min) ${r.loadBefore} before,
${r.loadAfter} after; the whole run took ${r.minutes.toFixed(1)} min.`;
}
