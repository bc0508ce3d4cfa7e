import { isAdminOp, type MemberOp } from './member-op.js';
import { applyMemberOp, checkMemberOp, emptyFoldState, undoTo, type FoldState } from './membership-rules.js';

export interface OpNode {
  hash: string;
  op: MemberOp;
  bytes: Uint8Array;
}

/** A veto (MEM-6): `cause` ended the author's adminship without knowing the vetoed op. */
interface Veto {
  cause: string;
  /** The highest position the fold had reached when the veto was found (see `insert`). */
  hw: number;
}

const ANCESTOR_CACHE_LIMIT = 100_000;

/**
 * The applied ops in canonical order — ascending (lamport, hash), a topological order since a
 * child's lamport exceeds its parents' (MEM-2) — and the state folded over them, maintained
 * incrementally:
 * - an op that sorts after every applied op is folded onto the current state: O(1);
 * - an op that sorts earlier (a concurrent op that arrived late) is spliced in; the state is
 *   stepped back to its position with the fold's undo journal, then folded forward again:
 *   O(n − position) undo steps and rule applications, no state copies.
 *
 * The result is the same as folding the whole set from scratch (MEM-3), vetoes included: a veto
 * found while the fold had not yet passed position r depends only on the ops before r, so an
 * insertion at r keeps exactly those and recomputes the rest.
 */
export class OpOrder {
  private readonly nodes = new Map<string, OpNode>();
  private readonly order: OpNode[] = [];
  private readonly effective: boolean[] = [];
  private readonly posOf = new Map<string, number>();
  private readonly headSet = new Set<string>();
  private readonly current: FoldState = emptyFoldState(true);
  /** marks[j]: the journal length before position j was folded. */
  private readonly marks: number[] = [];
  /** How many positions `current` reflects. */
  private folded = 0;
  private readonly vetoes = new Map<string, Veto>();
  private hw = -1;
  private readonly ancestorCache = new Map<string, boolean>();
  /** Rule applications and restarts, for benchmarks. */
  readonly stats = { steps: 0, restarts: 0 };

  get size(): number {
    return this.order.length;
  }

  has(hash: string): boolean {
    return this.nodes.has(hash);
  }

  get(hash: string): OpNode | undefined {
    return this.nodes.get(hash);
  }

  heads(): string[] {
    return [...this.headSet].sort();
  }

  /** The state after every applied op. Do not mutate. */
  state(): FoldState {
    return this.current;
  }

  history(): Array<{ hash: string; op: MemberOp; effective: boolean }> {
    return this.order.map((n, j) => ({ hash: n.hash, op: n.op, effective: this.effective[j] === true }));
  }

  /** Adds ops whose parents are all applied or earlier in `batch`, then refolds as needed. */
  insert(batch: readonly OpNode[]): void {
    let first = this.order.length;
    for (const node of batch) {
      this.nodes.set(node.hash, node);
      for (const p of node.op.parents) this.headSet.delete(p);
      this.headSet.add(node.hash);
      const i = this.indexFor(node.op.lamport, node.hash);
      this.order.splice(i, 0, node);
      this.effective.splice(i, 0, false);
      first = Math.min(first, i);
    }
    for (let j = first; j < this.order.length; j++) this.posOf.set(this.order[j]!.hash, j);
    // Vetoes found once the fold had reached `first` may depend on what moved: recompute them,
    // and refold from the earliest op they touched.
    let r = first;
    for (let again = true; again; ) {
      again = false;
      for (const [hash, veto] of this.vetoes) {
        if (veto.hw < r) continue;
        this.vetoes.delete(hash);
        r = Math.min(r, this.posOf.get(hash)!, this.posOf.get(veto.cause)!);
        again = true;
      }
    }
    this.run(r);
  }

  private run(from: number): void {
    let j = from < this.folded ? this.rollback(from) : this.folded;
    this.hw = from - 1;
    while (j < this.order.length) {
      this.marks[j] = this.current.journal!.length;
      this.hw = Math.max(this.hw, j);
      const node = this.order[j]!;
      this.stats.steps++;
      if (this.vetoes.has(node.hash) || checkMemberOp(this.current, node.op) !== null) {
        this.effective[j] = false;
        j++;
        continue;
      }
      const ended = applyMemberOp(this.current, node.op, j);
      this.effective[j] = true;
      let restartAt = Infinity;
      for (const { user, since } of ended) {
        for (let k = since; k < j; k++) {
          const o = this.order[k]!;
          if (o.op.author !== user || !this.effective[k] || !isAdminOp(o.op.body.type)) continue;
          if (this.isAncestor(o, node)) continue;
          this.vetoes.set(o.hash, { cause: node.hash, hw: this.hw });
          restartAt = Math.min(restartAt, k);
        }
      }
      if (restartAt !== Infinity) {
        this.stats.restarts++;
        j = this.rollback(restartAt);
        continue;
      }
      j++;
    }
    this.folded = this.order.length;
  }

  /** Steps `current` back to the state before `position`; returns `position`. */
  private rollback(position: number): number {
    undoTo(this.current, this.marks[position]!);
    this.marks.length = position;
    this.folded = position;
    return position;
  }

  /** Whether `a` is in the causal past of `d` (a walk back from d, pruned by lamport). */
  private isAncestor(a: OpNode, d: OpNode): boolean {
    if (a.op.lamport >= d.op.lamport) return false;
    const key = `${a.hash}${d.hash}`;
    const cached = this.ancestorCache.get(key);
    if (cached !== undefined) return cached;
    let found = false;
    const seen = new Set<string>();
    const stack = [...d.op.parents];
    while (stack.length > 0 && !found) {
      const h = stack.pop()!;
      if (h === a.hash) found = true;
      else if (!seen.has(h)) {
        seen.add(h);
        const n = this.nodes.get(h);
        if (n !== undefined && n.op.lamport > a.op.lamport) stack.push(...n.op.parents);
      }
    }
    if (this.ancestorCache.size >= ANCESTOR_CACHE_LIMIT) this.ancestorCache.clear();
    this.ancestorCache.set(key, found);
    return found;
  }

  private indexFor(lamport: number, hash: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.order[mid]!;
      if (m.op.lamport < lamport || (m.op.lamport === lamport && m.hash < hash)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
