/**
 * A seeded, typed editing session standing in for a real editing trace (issue 18): the B4
 * "automerge-paper" trace is not published on the npm registry, so the bench generates one — the
 * same for every run and every seed's consumer. One op = one edit as an editor emits it:
 * `[position, deleted, inserted]`, applied at `position` of the text as it is after the ops before.
 */
export type TraceOp = readonly [pos: number, del: number, ins: string];

export interface EditingTrace {
  readonly ops: readonly TraceOp[];
  /** The text after every op (the length asked for, give or take the last word). */
  readonly final: string;
  readonly inserts: number;
  readonly deletes: number;
  /** Times the cursor moved somewhere other than where the last edit left it. */
  readonly jumps: number;
}

const WORDS = [
  'the', 'of', 'and', 'a', 'to', 'in', 'is', 'that', 'for', 'it', 'as', 'with', 'on', 'by', 'this', 'are', 'be', 'from',
  'replicas', 'concurrent', 'document', 'editing', 'collaborative', 'operation', 'insertion', 'deletion', 'character',
  'network', 'offline', 'merge', 'conflict', 'algorithm', 'ordering', 'identifier', 'timestamp', 'state', 'converge',
  'peer', 'server', 'client', 'latency', 'cursor', 'text', 'list', 'element', 'causal', 'history', 'user', 'change',
];

/** xorshift32 from a seed: deterministic, fast, good enough to pick edits. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/**
 * A person typing a document of `length` characters: words one keystroke each (with spaces,
 * punctuation and paragraph breaks), backspaced typos, forward deletes, cursor jumps to a word
 * boundary elsewhere (to revise earlier text), selected ranges deleted and phrases pasted.
 */
export function generateEditingTrace(length: number, seed = 18): EditingTrace {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const ops: TraceOp[] = [];
  let text = '';
  let cursor = 0;
  let pending = '';
  let inserts = 0;
  let deletes = 0;
  let jumps = 0;
  const apply = (pos: number, del: number, ins: string): void => {
    ops.push([pos, del, ins]);
    text = text.slice(0, pos) + ins + text.slice(pos + del);
    cursor = pos + ins.length;
    if (del > 0) deletes++;
    if (ins.length > 0) inserts++;
  };
  const nextWord = (): string => {
    const r = rand();
    const end = r < 0.06 ? '.\n' : r < 0.12 ? '. ' : r < 0.18 ? ', ' : ' ';
    const w = pick(WORDS);
    return (r < 0.06 || text.endsWith('.\n') || text.length === 0 ? w[0]!.toUpperCase() + w.slice(1) : w) + end;
  };
  while (text.length < length || pending.length > 0) {
    const r = rand();
    if (pending.length === 0 && text.length >= length) break;
    if (r < 0.04 && cursor > 0) {
      // A typo noticed: backspace a few characters, one keystroke each, then type on.
      for (let k = int(1, 5); k > 0 && cursor > 0; k--) apply(cursor - 1, 1, '');
      pending = '';
    } else if (r < 0.05 && cursor < text.length) {
      apply(cursor, 1, '');
    } else if (r < 0.07 && text.length > 40) {
      // Jump elsewhere to revise: just after a space, newline or at the start.
      const at = int(0, text.length);
      const boundary = Math.max(text.lastIndexOf(' ', at), text.lastIndexOf('\n', at)) + 1;
      if (boundary !== cursor) jumps++;
      cursor = boundary;
      pending = '';
    } else if (r < 0.075 && text.length > 200) {
      const from = int(0, text.length - 60);
      if (from !== cursor) jumps++;
      apply(from, int(5, 60), '');
    } else if (r < 0.08) {
      let phrase = '';
      while (phrase.length < 20) phrase += nextWord();
      apply(cursor, 0, phrase);
    } else {
      if (pending.length === 0) pending = nextWord();
      apply(cursor, 0, pending[0]!);
      pending = pending.slice(1);
    }
  }
  return { ops, final: text, inserts, deletes, jumps };
}
