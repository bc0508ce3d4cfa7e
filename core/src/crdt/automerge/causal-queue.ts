/** One Automerge change chunk with the hash and dependencies read from its header. */
export interface ChangeChunk {
  readonly chunk: Uint8Array;
  readonly hash: string;
  readonly deps: readonly string[];
}

/**
 * Changes held back until their dependencies are in the document, released one at a time in
 * causal order. The Automerge backend never lets Automerge queue or batch changes itself: the
 * patches Automerge 3.5 computes for a batch of several changes can be wrong, which leaves the
 * materialized document different from its real state (docs/adr/0011-automerge-causal-delivery.md).
 */
export interface CausalQueue {
  readonly size: number;
  /** Holds `one` until every dependency it lacks now is present. */
  hold(one: ChangeChunk): void;
  /**
   * Applies, one change at a time, every held change that `arrived` (hashes now in the
   * document) made ready, transitively.
   */
  release(arrived: Iterable<string>, load: (chunk: Uint8Array) => void): void;
  /** Hashes some held change waits for (to release after a whole document arrived). */
  awaited(): string[];
  /** The held change chunks, sorted by hash (a canonical order for `save`). */
  chunks(): Uint8Array[];
}

export function createCausalQueue(has: (hash: string) => boolean): CausalQueue {
  /** Held changes by hash. */
  const pending = new Map<string, ChangeChunk>();
  /** For each missing dependency, the held changes waiting on it. */
  const waiting = new Map<string, Set<string>>();

  function hold(one: ChangeChunk): void {
    pending.set(one.hash, one);
    for (const dep of one.deps) {
      if (has(dep)) continue;
      let set = waiting.get(dep);
      if (set === undefined) waiting.set(dep, (set = new Set()));
      set.add(one.hash);
    }
  }

  function release(arrived: Iterable<string>, load: (chunk: Uint8Array) => void): void {
    const queue = [...arrived];
    while (queue.length > 0) {
      const hash = queue.pop()!;
      const waiters = waiting.get(hash);
      if (waiters === undefined) continue;
      waiting.delete(hash);
      for (const w of waiters) {
        const one = pending.get(w);
        if (one === undefined) continue;
        pending.delete(w);
        if (has(w)) continue;
        if (one.deps.every(has)) {
          load(one.chunk);
          queue.push(w);
        } else {
          hold(one);
        }
      }
    }
  }

  return {
    get size() {
      return pending.size;
    },
    hold,
    release,
    awaited: () => [...waiting.keys()],
    chunks: () =>
      [...pending.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)).map((one) => one.chunk),
  };
}
