/** One step of a text change, as Yjs reports it (`event.changes.delta`). */
export interface DeltaOp {
  readonly retain?: number;
  readonly insert?: unknown;
  readonly delete?: number;
}

/**
 * Where a position of the old text is in the new text after `delta`: text inserted before it
 * pushes it right (an insert exactly at it leaves it in place), deleted text before it pulls
 * it left, and a position inside a deleted range lands at its start.
 */
export function mapIndex(delta: readonly DeltaOp[], index: number): number {
  let oldPos = 0; // in the old text
  let shift = 0; // new − old, for everything after oldPos
  for (const op of delta) {
    if (op.retain !== undefined) {
      oldPos += op.retain;
      if (oldPos >= index) break;
    } else if (op.insert !== undefined) {
      const n = typeof op.insert === 'string' ? op.insert.length : 1;
      if (oldPos >= index) break;
      shift += n;
    } else if (op.delete !== undefined) {
      if (oldPos >= index) break;
      const end = oldPos + op.delete;
      if (index <= end) return oldPos + shift;
      shift -= op.delete;
      oldPos = end;
    }
  }
  return index + shift;
}

/** The delta of replacing `deleteCount` characters at `from` with `insert`. */
export const spliceDelta = (from: number, deleteCount: number, insert: string): DeltaOp[] => [
  ...(from > 0 ? [{ retain: from }] : []),
  ...(deleteCount > 0 ? [{ delete: deleteCount }] : []),
  ...(insert !== '' ? [{ insert }] : []),
];
