import type { EditingTrace } from './editing-trace.js';
import type { StoredBytes, TraceSide } from './trace-side.js';

export interface TraceFigures {
  /** First edit applied at the sender → the receiver's text equals the final text. */
  readonly receivedMs: number;
  /** First edit → the sender has applied them all (its own local cost, sends included). */
  readonly appliedMs: number;
  readonly stored: StoredBytes;
}

/** Edits applied per macrotask turn at the sender: bursts of typing, with I/O between them. */
export const OPS_PER_TURN = 100;

/**
 * Applies `trace` to one side's sender `Y.Text`, each op its own transaction (as an editor
 * binding does), yielding a macrotask turn every `OPS_PER_TURN` ops, and times until the
 * receiver has the final text; then how many bytes its server keeps.
 */
export async function runTraceOnce(side: TraceSide, trace: EditingTrace, timeoutMs = 900_000): Promise<TraceFigures> {
  const s = await side.open();
  try {
    const text = s.sender;
    const t0 = performance.now();
    const received = s.receiverHas(trace.final, timeoutMs);
    for (let i = 0; i < trace.ops.length; i++) {
      const [pos, del, ins] = trace.ops[i]!;
      if (del > 0) text.delete(pos, del);
      if (ins.length > 0) text.insert(pos, ins);
      if ((i + 1) % OPS_PER_TURN === 0) await new Promise((r) => setImmediate(r));
    }
    const appliedMs = performance.now() - t0;
    if (text.toJSON() !== trace.final) throw new Error(`bench trace: ${side.name}'s sender text is not the trace's final text`);
    await received;
    const receivedMs = performance.now() - t0;
    return { receivedMs, appliedMs, stored: await s.stored() };
  } finally {
    await s.close();
  }
}
