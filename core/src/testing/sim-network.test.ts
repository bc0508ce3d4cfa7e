import { describe, expect, it } from 'vitest';
import { createSeededRandom, seedFromEnv } from './seeded-random.js';
import { createSimNetwork } from './sim-network.js';
import type { SimNetwork, SimStats } from './sim-network-types.js';

interface Msg {
  n: number;
  kind: string;
}

type Inbox = Array<{ at: string; from: string; n: number }>;

function setup(seed: string, ids: readonly string[] = ['alice', 'bob', 'relay']): { net: SimNetwork<Msg>; inbox: Inbox } {
  const net = createSimNetwork<Msg>({ random: createSeededRandom(seed), describe: (m) => `${m.kind} n=${m.n}` });
  const inbox: Inbox = [];
  for (const id of ids) net.addNode(id, (from, msg) => inbox.push({ at: id, from, n: msg.n }));
  return { net, inbox };
}

function expectBalanced(net: SimNetwork<Msg>): void {
  const s: SimStats = net.stats;
  expect(s.sent + s.duplicated).toBe(s.delivered + s.dropped + net.pending());
}

describe('createSimNetwork', () => {
  it('queues until told, then delivers each link in FIFO order', () => {
    const { net, inbox } = setup('fifo');
    for (let n = 1; n <= 20; n++) net.send(n % 2 ? 'alice' : 'relay', 'bob', { n, kind: 'put' });
    for (let n = 21; n <= 30; n++) net.send('bob', 'alice', { n, kind: 'ack' });
    expect(inbox).toEqual([]);
    expect(net.pending()).toBe(30);
    expect(net.pending('alice')).toBe(10);
    expect(net.pending(undefined, 'alice')).toBe(10);
    expect(net.pending('relay', 'bob')).toBe(10);
    expect(net.flush()).toBe(30);
    const perLink = (from: string, at: string): number[] => inbox.filter((m) => m.from === from && m.at === at).map((m) => m.n);
    expect(perLink('alice', 'bob')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    expect(perLink('relay', 'bob')).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(perLink('bob', 'alice')).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    // The random schedule interleaves links rather than draining them one by one.
    expect(inbox.slice(0, 10).map((m) => m.from)).not.toEqual(Array(10).fill(inbox[0]!.from));
    expect(net.deliverOne()).toBe(false);
    expectBalanced(net);
  });

  it('deliverLink delivers the head of exactly that link', () => {
    const { net, inbox } = setup('link');
    net.send('alice', 'bob', { n: 1, kind: 'a' });
    net.send('alice', 'bob', { n: 2, kind: 'a' });
    net.send('relay', 'bob', { n: 3, kind: 'a' });
    expect(net.deliverLink('relay', 'bob')).toBe(true);
    expect(net.deliverLink('alice', 'bob')).toBe(true);
    expect(inbox.map((m) => m.n)).toEqual([3, 1]);
    expect(net.deliverLink('bob', 'alice')).toBe(false);
    expect(() => net.deliverLink('mallory', 'bob')).toThrow(/unknown node 'mallory'/);
  });

  it('queues sends made while receiving (responses), never delivering recursively', () => {
    const random = createSeededRandom('reentrant');
    const net = createSimNetwork<Msg>({ random });
    const log: string[] = [];
    let depth = 0;
    net.addNode('relay', (from, msg) => {
      depth++;
      log.push(`relay<-${from}:${msg.n} depth=${depth}`);
      expect(() => net.flush()).toThrow(/inside onReceive/);
      expect(() => net.deliverOne()).toThrow(/inside onReceive/);
      net.send('relay', from, { n: msg.n * 10, kind: 'ack' });
      net.broadcast('relay', ['bob', 'carol'].filter((x) => x !== from), { n: msg.n * 100, kind: 'fanout' });
      depth--;
    });
    for (const id of ['alice', 'bob', 'carol']) {
      net.addNode(id, (from, msg) => log.push(`${id}<-${from}:${msg.n} depth=${depth}`));
    }
    net.send('alice', 'relay', { n: 1, kind: 'put' });
    net.send('bob', 'relay', { n: 2, kind: 'put' });
    const steps = net.flush();
    expect(steps).toBe(2 + (1 + 2) + (1 + 1)); // two puts, then ack + fan-out for each
    expect(log.filter((l) => l.endsWith('depth=1') && !l.startsWith('relay'))).toEqual([]);
    expect(log.filter((l) => l.startsWith('alice')).sort()).toEqual(['alice<-relay:10 depth=0']);
    expect(log.filter((l) => l.startsWith('carol')).sort()).toEqual(['carol<-relay:100 depth=0', 'carol<-relay:200 depth=0']);
    expect(net.pending()).toBe(0);
  });

  it('broadcast gives each recipient its own copy', () => {
    const net = createSimNetwork<Uint8Array>({ random: createSeededRandom('bcast') });
    const got = new Map<string, Uint8Array>();
    for (const id of ['a', 'b', 'c']) net.addNode(id, (_from, msg) => got.set(id, msg));
    const payload = new Uint8Array([1, 2, 3]);
    net.broadcast('a', ['b', 'c'], payload);
    net.flush();
    got.get('b')!.fill(0);
    expect(Array.from(got.get('c')!)).toEqual([1, 2, 3]);
  });

  it("partition 'hold' keeps cross-group frames queued until heal", () => {
    const { net, inbox } = setup('hold', ['alice', 'bob', 'relay', 'carol']);
    net.partition([['alice'], ['bob', 'relay']]);
    net.send('alice', 'relay', { n: 1, kind: 'put' });
    net.send('bob', 'relay', { n: 2, kind: 'put' });
    net.send('relay', 'alice', { n: 3, kind: 'put' });
    net.send('carol', 'bob', { n: 4, kind: 'put' }); // carol is in no group: isolated
    net.send('carol', 'carol', { n: 5, kind: 'self' });
    expect(net.flush()).toBe(2);
    expect(inbox.map((m) => m.n).sort()).toEqual([2, 5]);
    expect(net.pending()).toBe(3);
    expect(net.deliverLink('alice', 'relay')).toBe(false);
    net.heal();
    expect(net.flush()).toBe(3);
    expect(inbox.map((m) => m.n).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(net.stats.dropped).toBe(0);
    expectBalanced(net);
  });

  it("partition 'drop' discards queued cross-group frames and loses new ones until heal", () => {
    const { net, inbox } = setup('drop');
    net.send('alice', 'relay', { n: 1, kind: 'put' });
    net.send('bob', 'relay', { n: 2, kind: 'put' });
    net.partition([['alice'], ['bob', 'relay']], 'drop');
    expect(net.pending()).toBe(1);
    net.send('relay', 'alice', { n: 3, kind: 'put' });
    net.send('relay', 'bob', { n: 4, kind: 'put' });
    net.flush();
    expect(inbox.map((m) => m.n).sort()).toEqual([2, 4]);
    expect(net.stats.dropped).toBe(2);
    net.heal();
    net.send('relay', 'alice', { n: 5, kind: 'put' });
    net.flush();
    expect(inbox.at(-1)!.n).toBe(5);
    expect(net.trace.lines().some((l) => l.includes('lost  (partition)'))).toBe(true);
    expectBalanced(net);
    expect(() => net.partition([['alice'], ['alice', 'bob']])).toThrow(/two groups/);
  });

  it('counts drops and duplicates, keeps per-link order of what arrives, and balances its books', () => {
    const seed = seedFromEnv('faults');
    const { net, inbox } = setup(seed);
    net.setFaults({ drop: 0.2, duplicate: 0.2 });
    const total = 300;
    for (let n = 1; n <= total; n++) net.send(n % 3 === 0 ? 'bob' : 'alice', 'relay', { n, kind: 'put' });
    net.flush({ faults: true });
    const { sent, delivered, dropped, duplicated } = net.stats;
    console.log(`sim faults seed=${seed}: sent=${sent} delivered=${delivered} dropped=${dropped} duplicated=${duplicated}`);
    expect(sent).toBe(total);
    expect(dropped).toBeGreaterThan(20);
    expect(duplicated).toBeGreaterThan(20);
    expectBalanced(net);
    expect(inbox.length).toBe(delivered);
    // Without reorder, arrivals per link are non-decreasing (a duplicate repeats, never jumps back).
    for (const from of ['alice', 'bob']) {
      const ns = inbox.filter((m) => m.from === from).map((m) => m.n);
      expect(ns.every((n, i) => i === 0 || n >= ns[i - 1]!)).toBe(true);
      expect(new Set(ns).size).toBeLessThan(ns.length); // some duplicates arrived
    }
    // A flush without faults afterwards is lossless.
    net.send('alice', 'relay', { n: 999, kind: 'put' });
    net.flush();
    expect(inbox.at(-1)!.n).toBe(999);
  });

  it('reorders within a link when asked, counting each swap', () => {
    const { net, inbox } = setup('reorder');
    net.setFaults({ reorder: 0.5 });
    for (let n = 1; n <= 100; n++) net.send('alice', 'bob', { n, kind: 'put' });
    net.flush({ faults: true });
    const ns = inbox.map((m) => m.n);
    expect([...ns].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(ns).not.toEqual([...ns].sort((a, b) => a - b));
    expect(net.stats.reordered).toBeGreaterThan(10);
    expect(net.stats.dropped + net.stats.duplicated).toBe(0);
    expect(() => net.setFaults({ drop: 2 })).toThrow(RangeError);
  });

  it('is deterministic: the same seed gives the same trace, another seed another', () => {
    const run = (seed: string): readonly string[] => {
      const random = createSeededRandom(seed);
      const net = createSimNetwork<Msg>({ random, describe: (m) => `${m.kind} n=${m.n}` });
      const ids = ['alice', 'bob', 'carol', 'relay'];
      for (const id of ids) {
        net.addNode(id, (from, msg) => {
          if (id === 'relay' && msg.kind === 'put') net.broadcast('relay', ids.filter((x) => x !== 'relay' && x !== from), { n: msg.n, kind: 'fwd' });
        });
      }
      net.setFaults({ drop: 0.1, duplicate: 0.1, reorder: 0.1 });
      const ops = random.fork('ops');
      for (let n = 1; n <= 60; n++) {
        net.send(ops.pick(['alice', 'bob', 'carol']), 'relay', { n, kind: 'put' });
        if (ops.chance(0.3)) net.deliverOne();
        if (n === 20) net.partition([['alice', 'relay'], ['bob', 'carol']]);
        if (n === 40) net.heal();
      }
      net.flush({ faults: true });
      return net.trace.lines();
    };
    const a = run('det');
    expect(a.length).toBeGreaterThan(200);
    expect(run('det')).toEqual(a);
    expect(run('det2')).not.toEqual(a);
    expect(a.some((l) => / alice -> relay {2}deliver {2}put n=\d+$/.test(l))).toBe(true);
  });

  it('throws a clear error with the trace tail when flush exceeds maxSteps (a message loop)', () => {
    const net = createSimNetwork<Msg>({ random: createSeededRandom('loop'), describe: (m) => `ping n=${m.n}` });
    net.addNode('a', (_from, msg) => net.send('a', 'b', { n: msg.n + 1, kind: 'ping' }));
    net.addNode('b', (_from, msg) => net.send('b', 'a', { n: msg.n + 1, kind: 'ping' }));
    net.send('a', 'b', { n: 0, kind: 'ping' });
    let message = '';
    try {
      net.flush({ maxSteps: 50 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/not quiet after 50 steps \(1 deliverable frames\)/);
    expect(message).toContain('seed=loop');
    expect(message).toContain('deliver  ping n=49');
  });

  it('tamper rewrites or drops frames on the wire', () => {
    const { net, inbox } = setup('tamper');
    net.tamper((from, _to, msg) => {
      if (from !== 'alice') return msg;
      return msg.n % 2 ? { ...msg, n: -msg.n } : undefined;
    });
    for (let n = 1; n <= 4; n++) net.send('alice', 'bob', { n, kind: 'put' });
    net.send('relay', 'bob', { n: 5, kind: 'put' });
    net.flush();
    expect(inbox.map((m) => m.n).sort((a, b) => a - b)).toEqual([-3, -1, 5]);
    expect(net.stats.tampered).toBe(4);
    expect(net.stats.dropped).toBe(2);
    expect(net.trace.lines().filter((l) => l.includes('tamper-drop'))).toHaveLength(2);
    net.tamper(undefined);
    net.send('alice', 'bob', { n: 7, kind: 'put' });
    net.flush();
    expect(inbox.at(-1)!.n).toBe(7);
    expectBalanced(net);
  });

  it('removeNode discards its frames; sends to it are lost; unknown ids are test bugs', () => {
    const { net, inbox } = setup('remove');
    net.send('alice', 'bob', { n: 1, kind: 'put' });
    net.send('bob', 'alice', { n: 2, kind: 'put' });
    net.send('relay', 'alice', { n: 3, kind: 'put' });
    net.removeNode('bob');
    expect(net.nodes()).toEqual(['alice', 'relay']);
    expect(net.pending()).toBe(1);
    net.send('alice', 'bob', { n: 4, kind: 'put' });
    net.flush();
    expect(inbox.map((m) => m.n)).toEqual([3]);
    expect(net.stats.dropped).toBe(3);
    expectBalanced(net);
    net.addNode('bob', (from, msg) => inbox.push({ at: 'bob2', from, n: msg.n }));
    net.send('alice', 'bob', { n: 5, kind: 'put' });
    net.flush();
    expect(inbox.at(-1)).toEqual({ at: 'bob2', from: 'alice', n: 5 });
    expect(() => net.send('alice', 'nobody', { n: 0, kind: 'x' })).toThrow(/unknown node 'nobody'/);
    expect(() => net.addNode('alice', () => undefined)).toThrow(/already exists/);
  });

  it('traces metadata lines in a readable shape', () => {
    const { net } = setup('shape');
    net.send('alice', 'relay', { n: 4, kind: 'put' });
    net.flush();
    expect(net.trace.lines()).toEqual(['#1 alice -> relay  send  put n=4', '#1 alice -> relay  deliver  put n=4']);
  });
});
