import { FrameQueue } from './frame-queue.js';
import type { SimNetwork, SimNetworkOptions, SimStats, SimTamper } from './sim-network-types.js';
import { createTrace } from './trace.js';

interface Frame<T> {
  readonly id: number;
  readonly msg: T;
}

interface Link<T> {
  readonly from: string;
  readonly to: string;
  readonly queue: FrameQueue<Frame<T>>;
  /** Position in `active` while the queue is non-empty, else -1. */
  slot: number;
}

type MutableStats = { -readonly [K in keyof SimStats]: number };

export const DEFAULT_FLUSH_MAX_STEPS = 100_000;

function checkProbability(name: string, p: number | undefined): number {
  const value = p ?? 0;
  if (!(value >= 0 && value <= 1)) throw new RangeError(`SimNetwork.setFaults: ${name} must be in [0, 1], got ${value}`);
  return value;
}

/** A simulated network (semantics: `SimNetwork` in sim-network-types.ts). */
export function createSimNetwork<T>(options: SimNetworkOptions<T>): SimNetwork<T> {
  const random = options.random.fork('sim-network');
  const describe = options.describe;
  const clone = options.clone ?? ((msg: T): T => structuredClone(msg));
  const trace = createTrace(options.traceLimit);
  const stats: MutableStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, reordered: 0, tampered: 0 };

  const handlers = new Map<string, (from: string, msg: T) => void>();
  const known = new Set<string>();
  const links = new Map<string, Link<T>>();
  // Links with queued frames, so a step costs O(1) however many links exist (swap-remove keeps
  // the order deterministic: it depends only on the sequence of operations).
  const active: Array<Link<T>> = [];
  let faults = { drop: 0, duplicate: 0, reorder: 0 };
  let groupOf: Map<string, number> | null = null;
  let partitionMode: 'hold' | 'drop' = 'hold';
  let tamperFn: SimTamper<T> | undefined;
  let nextFrame = 1;
  let delivering = false;

  const linkKey = (from: string, to: string): string => `${from}\u0000${to}`;

  const record = (frame: Frame<T>, from: string, to: string, event: string, note?: string): void => {
    const parts = [`#${frame.id} ${from} -> ${to}  ${event}`];
    if (note !== undefined) parts.push(note);
    if (describe !== undefined) parts.push(describe(frame.msg));
    trace.record(parts.join('  '));
  };

  const expectKnown = (id: string, what: string): void => {
    if (!known.has(id)) throw new Error(`SimNetwork.${what}: unknown node '${id}' (never added)`);
  };

  const connected = (from: string, to: string): boolean => {
    if (groupOf === null || from === to) return true;
    const a = groupOf.get(from);
    return a !== undefined && a === groupOf.get(to);
  };

  const expectNotDelivering = (what: string): void => {
    if (delivering) {
      throw new Error(`SimNetwork.${what}: called from inside onReceive; reply with send() and let the test deliver`);
    }
  };

  const activate = (link: Link<T>): void => {
    if (link.slot >= 0) return;
    link.slot = active.length;
    active.push(link);
  };

  const deactivateIfEmpty = (link: Link<T>): void => {
    if (link.queue.length > 0 || link.slot < 0) return;
    const last = active.pop()!;
    if (last !== link) {
      active[link.slot] = last;
      last.slot = link.slot;
    }
    link.slot = -1;
  };

  const deliverable = (): ReadonlyArray<Link<T>> =>
    groupOf === null ? active : active.filter((link) => connected(link.from, link.to));

  /** Hand one frame to its receiver (tamper first). */
  const hand = (link: Link<T>, frame: Frame<T>): void => {
    let msg = frame.msg;
    if (tamperFn !== undefined) {
      const out = tamperFn(link.from, link.to, msg);
      if (out === undefined) {
        stats.tampered++;
        stats.dropped++;
        record(frame, link.from, link.to, 'tamper-drop');
        return;
      }
      if (out !== msg) {
        stats.tampered++;
        msg = out;
        record({ id: frame.id, msg }, link.from, link.to, 'tamper');
      }
    }
    const handler = handlers.get(link.to);
    if (handler === undefined) throw new Error(`SimNetwork: frame queued for removed node '${link.to}'`);
    stats.delivered++;
    record({ id: frame.id, msg }, link.from, link.to, 'deliver');
    delivering = true;
    try {
      handler(link.from, msg);
    } finally {
      delivering = false;
    }
  };

  const step = (link: Link<T>, withFaults: boolean): void => {
    const queue = link.queue;
    if (withFaults && faults.drop > 0 && random.chance(faults.drop)) {
      const frame = queue.shift()!;
      deactivateIfEmpty(link);
      stats.dropped++;
      record(frame, link.from, link.to, 'drop');
      return;
    }
    if (withFaults && faults.reorder > 0 && queue.length > 1 && random.chance(faults.reorder)) {
      const j = 1 + random.int(queue.length - 1);
      queue.swap(0, j);
      stats.reordered++;
      record(queue.at(0)!, link.from, link.to, 'reorder', `ahead of #${queue.at(j)!.id}`);
    }
    const frame = queue.shift()!;
    if (withFaults && faults.duplicate > 0 && random.chance(faults.duplicate)) {
      queue.unshift({ id: frame.id, msg: clone(frame.msg) });
      stats.duplicated++;
      record(frame, link.from, link.to, 'duplicate');
    }
    deactivateIfEmpty(link);
    hand(link, frame);
  };

  const discardWhere = (match: (link: Link<T>) => boolean, event: string): void => {
    for (const [key, link] of links) {
      if (!match(link)) continue;
      for (const frame of link.queue.drain()) {
        stats.dropped++;
        record(frame, link.from, link.to, event);
      }
      deactivateIfEmpty(link);
      if (!handlers.has(link.from) || !handlers.has(link.to)) links.delete(key);
    }
  };

  const send = (from: string, to: string, msg: T): void => {
    expectKnown(from, 'send');
    expectKnown(to, 'send');
    const frame: Frame<T> = { id: nextFrame++, msg };
    stats.sent++;
    if (!handlers.has(from) || !handlers.has(to)) {
      stats.dropped++;
      record(frame, from, to, 'lost', '(node down)');
      return;
    }
    if (groupOf !== null && partitionMode === 'drop' && !connected(from, to)) {
      stats.dropped++;
      record(frame, from, to, 'lost', '(partition)');
      return;
    }
    const key = linkKey(from, to);
    let link = links.get(key);
    if (link === undefined) {
      link = { from, to, queue: new FrameQueue(), slot: -1 };
      links.set(key, link);
    }
    link.queue.push(frame);
    activate(link);
    record(frame, from, to, 'send');
  };

  return {
    trace,
    stats,
    addNode(id, onReceive): void {
      if (handlers.has(id)) throw new Error(`SimNetwork.addNode: node '${id}' already exists`);
      known.add(id);
      handlers.set(id, onReceive);
    },
    removeNode(id): void {
      expectKnown(id, 'removeNode');
      if (!handlers.delete(id)) return;
      discardWhere((link) => link.from === id || link.to === id, 'discard');
      trace.record(`node ${id} removed`);
    },
    nodes: () => [...handlers.keys()],
    send,
    broadcast(from, to, msg): void {
      to.forEach((target, i) => send(from, target, i === 0 ? msg : clone(msg)));
    },
    pending(from, to): number {
      let n = 0;
      for (const link of active) {
        if ((from === undefined || link.from === from) && (to === undefined || link.to === to)) n += link.queue.length;
      }
      return n;
    },
    deliverOne(): boolean {
      expectNotDelivering('deliverOne');
      const candidates = deliverable();
      if (candidates.length === 0) return false;
      step(random.pick(candidates), true);
      return true;
    },
    deliverLink(from, to): boolean {
      expectNotDelivering('deliverLink');
      expectKnown(from, 'deliverLink');
      expectKnown(to, 'deliverLink');
      const link = links.get(linkKey(from, to));
      if (link === undefined || link.queue.length === 0 || !connected(from, to)) return false;
      step(link, false);
      return true;
    },
    flush(flushOptions): number {
      expectNotDelivering('flush');
      const maxSteps = flushOptions?.maxSteps ?? DEFAULT_FLUSH_MAX_STEPS;
      const withFaults = flushOptions?.faults ?? false;
      let steps = 0;
      for (;;) {
        const candidates = deliverable();
        if (candidates.length === 0) return steps;
        if (steps >= maxSteps) {
          const pendingNow = candidates.reduce((n, link) => n + link.queue.length, 0);
          throw new Error(
            `SimNetwork.flush: still not quiet after ${maxSteps} steps (${pendingNow} deliverable frames) — ` +
              `a message loop? seed=${options.random.seed}\nlast trace lines:\n${trace.tail(20)}`,
          );
        }
        step(random.pick(candidates), withFaults);
        steps++;
      }
    },
    setFaults(next): void {
      faults = {
        drop: checkProbability('drop', next.drop),
        duplicate: checkProbability('duplicate', next.duplicate),
        reorder: checkProbability('reorder', next.reorder),
      };
    },
    partition(groups, mode = 'hold'): void {
      const map = new Map<string, number>();
      groups.forEach((group, index) => {
        for (const id of group) {
          expectKnown(id, 'partition');
          if (map.has(id)) throw new Error(`SimNetwork.partition: node '${id}' is in two groups`);
          map.set(id, index);
        }
      });
      groupOf = map;
      partitionMode = mode;
      trace.record(`partition ${mode} ${groups.map((g) => `[${g.join(',')}]`).join(' ')}`);
      if (mode === 'drop') discardWhere((link) => !connected(link.from, link.to), 'cut');
    },
    heal(): void {
      groupOf = null;
      trace.record('heal');
    },
    tamper(fn): void {
      tamperFn = fn;
    },
  };
}
