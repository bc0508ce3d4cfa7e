/**
 * A Jepsen-style history for the convergence and fault suites: every operation is recorded as
 * invoked, then ok / failed / unknown (the peer was killed before it answered); every message
 * whose send returned ok is "acknowledged"; every state a peer shows is observed so that a
 * value going backwards is caught the moment it is seen. Metadata only: ids, kinds, counts and
 * error codes — never message text.
 */

export type OpStatus = 'invoked' | 'ok' | 'failed' | 'unknown';

export interface HistoryOp {
  readonly n: number;
  readonly peer: string;
  readonly kind: string;
  readonly detail: string;
  status: OpStatus;
  /** The KithError code (or error name) when failed. */
  error?: string;
}

export interface AckedMessage {
  readonly conv: string;
  readonly id: string;
  readonly author: string;
}

export interface FinalView {
  readonly peer: string;
  readonly conv: string;
  /** The messages the peer shows, in conversation order (tombstones included). */
  readonly messages: ReadonlyArray<{ readonly id: string; readonly author: string }>;
}

export interface HistoryCheck {
  readonly acked: number;
  readonly unknown: number;
  readonly lost: string[];
  readonly duplicated: string[];
  readonly reordered: string[];
  readonly regressions: string[];
  readonly ok: boolean;
}

export interface History {
  invoke(peer: string, kind: string, detail?: string): HistoryOp;
  ok(op: HistoryOp): void;
  fail(op: HistoryOp, error: unknown): void;
  /** The peer was killed: its ops still invoked have an unknown outcome. */
  crash(peer: string): number;
  /** A send returned ok: the message must reach every current member exactly once. */
  ack(message: AckedMessage): void;
  /** A message whose send outcome is unknown (may appear once or not at all). */
  maybe(message: AckedMessage): void;
  /** A monotone state as `peer` sees it now (numbers, or ids ordered as strings). */
  observe(peer: string, key: string, value: number | string | null): void;
  readonly ops: readonly HistoryOp[];
  readonly acked: readonly AckedMessage[];
  readonly regressions: readonly string[];
  /** The last `limit` operations, one a line, metadata only. */
  log(limit?: number): string;
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
};

export function createHistory(): History {
  const ops: HistoryOp[] = [];
  const acked: AckedMessage[] = [];
  const maybes: AckedMessage[] = [];
  const seen = new Map<string, number | string>();
  const regressions: string[] = [];
  return {
    ops,
    acked,
    regressions,
    invoke(peer, kind, detail = '') {
      const op: HistoryOp = { n: ops.length, peer, kind, detail, status: 'invoked' };
      ops.push(op);
      return op;
    },
    ok(op) {
      if (op.status === 'invoked') op.status = 'ok';
    },
    fail(op, error) {
      if (op.status !== 'invoked') return;
      op.status = 'failed';
      op.error = codeOf(error);
    },
    crash(peer) {
      let n = 0;
      for (const op of ops) {
        if (op.peer === peer && op.status === 'invoked') {
          op.status = 'unknown';
          n++;
        }
      }
      return n;
    },
    ack(message) {
      acked.push(message);
    },
    maybe(message) {
      maybes.push(message);
    },
    observe(peer, key, value) {
      if (value === null) return;
      const k = `${peer} ${key}`;
      const before = seen.get(k);
      if (before !== undefined && typeof before === typeof value && value < before) {
        regressions.push(`${peer} saw ${key} go back from ${String(before)} to ${String(value)}`);
      }
      if (before === undefined || !(value < before)) seen.set(k, value);
    },
    log(limit = 200) {
      return ops
        .slice(-limit)
        .map((o) => `#${o.n} ${o.peer} ${o.kind}${o.detail === '' ? '' : ` ${o.detail}`} → ${o.status}${o.error === undefined ? '' : ` (${o.error})`}`)
        .join('\n');
    },
  };
}

/**
 * Checks a finished run: each acknowledged message appears exactly once at every member named
 * in `members` (conversation → users that must show it; a peer's user is `peerUser`), each
 * author's messages keep their send order, unknown sends appear at most once, and no observed
 * state went backwards.
 */
export function checkHistory(
  history: History,
  finals: readonly FinalView[],
  members: ReadonlyMap<string, ReadonlySet<string>>,
  peerUser: ReadonlyMap<string, string>,
  /** A message `peer` legitimately does not show (e.g. its user blocked the author). */
  excused: (peer: string, message: AckedMessage) => boolean = () => false,
): HistoryCheck {
  const lost: string[] = [];
  const duplicated: string[] = [];
  const reordered: string[] = [];
  const ackOrder = new Map<string, number>();
  history.acked.forEach((m, i) => ackOrder.set(`${m.conv} ${m.id}`, i));
  const unknownCount = history.ops.filter((o) => o.status === 'unknown').length;
  for (const view of finals) {
    const counts = new Map<string, number>();
    for (const m of view.messages) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
    for (const [id, c] of counts) if (c > 1) duplicated.push(`${view.peer} shows ${id} ${c} times in ${view.conv}`);
    const user = peerUser.get(view.peer);
    const mustShow = user !== undefined && (members.get(view.conv)?.has(user) ?? false);
    if (mustShow) {
      const authorsNow = members.get(view.conv) ?? new Set<string>();
      for (const m of history.acked) {
        if (m.conv !== view.conv || !authorsNow.has(m.author) || excused(view.peer, m)) continue;
        if (!counts.has(m.id)) lost.push(`${view.peer} lacks acknowledged ${m.id} of ${m.author} in ${view.conv}`);
      }
    }
    const lastByAuthor = new Map<string, number>();
    for (const m of view.messages) {
      const at = ackOrder.get(`${view.conv} ${m.id}`);
      if (at === undefined) continue;
      const prev = lastByAuthor.get(m.author);
      if (prev !== undefined && at < prev) reordered.push(`${view.peer} shows ${m.id} of ${m.author} after a later message in ${view.conv}`);
      lastByAuthor.set(m.author, at);
    }
  }
  const ok = lost.length === 0 && duplicated.length === 0 && reordered.length === 0 && history.regressions.length === 0;
  return { acked: history.acked.length, unknown: unknownCount, lost, duplicated, reordered, regressions: [...history.regressions], ok };
}
