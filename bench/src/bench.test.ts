// Smoke test of the side-by-side bench (issue 14 § 6): every workload's driver runs once at tiny
// sizes against its real server child process, and the messages must actually arrive — so the
// bench cannot rot silently as the pipeline changes. No timing is asserted.
import { describe, expect, it } from 'vitest';
import { automergeSystem } from './automerge/automerge-system.js';
import { runChatWorkloads } from './chat-workloads.js';
import { peerColdOpen } from './cold/cold-open.js';
import { kithFanoutTarget } from './fanout/kith-fanout.js';
import { peerFanoutTarget } from './fanout/peer-fanout.js';
import { runFanout } from './fanout/fanout.js';
import { kithSystem } from './kith/kith-system.js';
import { generateEditingTrace } from './trace/editing-trace.js';
import { kithTraceSide } from './trace/kith-trace-side.js';
import { runTraceOnce } from './trace/run-trace-once.js';
import { yjsTraceSide } from './trace/yjs-trace-side.js';
import { yjsSystem } from './yjs/yjs-system.js';

const SIZES = { sustained: 20, latencySamples: 5, catchup: 20, messageBytes: 200 };
/** warm-up + latency + sustained + catch-up */
const SENT = 1 + SIZES.latencySamples + SIZES.sustained + SIZES.catchup;

describe('bench drivers deliver what they send', () => {
  for (const system of [kithSystem, yjsSystem, automergeSystem]) {
    it(`${system.name}: sustained, latency and catch-up`, async () => {
      const figures = await runChatWorkloads(system, SIZES);
      expect(figures.sent).toBe(SENT);
      expect(figures.shown).toBe(SENT);
    });
  }

  for (const [name, target] of [
    ['Kith relay', () => kithFanoutTarget(4, 200)],
    ['y-websocket server', () => peerFanoutTarget('y-websocket', 200)],
    ['naive ws broadcast', () => peerFanoutTarget('naive', 200)],
  ] as const) {
    it(`fan-out through the ${name}: every subscriber gets every update`, async () => {
      const f = await runFanout(await target(), 10, 4, 5, 60_000);
      expect(f.updates).toBe(20);
      expect(f.deliveries).toBe(10 * 20);
    });
  }

  it('the generated editing trace is deterministic and has inserts, deletes and cursor jumps', () => {
    const a = generateEditingTrace(2000);
    expect(generateEditingTrace(2000)).toEqual(a);
    expect(a.final.length).toBeGreaterThanOrEqual(2000);
    expect(a.inserts).toBeGreaterThan(a.deletes);
    expect(a.deletes).toBeGreaterThan(0);
    expect(a.jumps).toBeGreaterThan(0);
    expect(generateEditingTrace(2000, 7).final).not.toBe(a.final);
  });

  for (const side of [kithTraceSide(), yjsTraceSide]) {
    it(`editing trace over ${side.name}: the other side ends with the final text, the server stored it`, async () => {
      const trace = generateEditingTrace(300);
      // runTraceOnce throws unless the receiver's Y.Text equals trace.final before the deadline.
      const f = await runTraceOnce(side, trace, 120_000);
      expect(f.receivedMs).toBeGreaterThan(0);
      expect(f.stored.primary).toBeGreaterThan(f.stored.baseline);
      expect(f.stored.secondary).toBeGreaterThan(0);
    }, 180_000);
  }

  it('cold open of the peers reads the latest page of the whole document', () => {
    // peerColdOpen throws unless the fresh process read 50 messages ending with the last one.
    for (const kind of ['yjs', 'automerge'] as const) expect(peerColdOpen(kind, 300, 200).bytes).toBeGreaterThan(300);
  });
});
