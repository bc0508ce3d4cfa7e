import WebSocket, { type RawData } from 'ws';
import { createCounter, type Counter } from '../counter.js';

/** One fan-out run: `senders` × `perSender` updates, each delivered to every subscriber. */
export interface FanoutFigures {
  readonly updates: number;
  readonly deliveries: number;
  readonly ms: number;
}

/** What fan-out needs of a server: sockets that subscribe and count deliveries, and senders with prepared frames. */
export interface FanoutTarget {
  /** Opens one subscriber whose deliveries raise `delivered`; resolves once the server has it subscribed. */
  subscribe(delivered: Counter): Promise<WebSocket>;
  /** Opens sender `index` with its `count` frames prepared; `go` sends them all (pipelined), resolving when the server acknowledged them (if it does). */
  sender(index: number, count: number): Promise<{ ws: WebSocket; go(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Opens a socket; `onMessage` is attached at once (a server may greet in the same packet as the upgrade). */
export const openSocket = (url: string, onMessage?: (data: RawData) => void): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    if (onMessage !== undefined) ws.on('message', onMessage);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

export const asBytes = (data: RawData): Buffer => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));

/** 100 subscribers, 4 senders (by default): deliveries/s, from the first frame sent until every subscriber counted every update. */
export async function runFanout(target: FanoutTarget, subscribers: number, senders: number, perSender: number, timeoutMs = 600_000): Promise<FanoutFigures> {
  const delivered = createCounter();
  const subs: WebSocket[] = [];
  try {
    for (let i = 0; i < subscribers; i++) subs.push(await target.subscribe(delivered));
    const outs = await Promise.all(Array.from({ length: senders }, (_, i) => target.sender(i, perSender)));
    const expected = subscribers * senders * perSender;
    const t0 = performance.now();
    await Promise.all([...outs.map((o) => o.go()), delivered.until(expected, timeoutMs, 'fan-out deliveries')]);
    const ms = performance.now() - t0;
    for (const o of outs) o.ws.close();
    return { updates: senders * perSender, deliveries: delivered.value, ms };
  } finally {
    for (const s of subs) s.close();
    await target.stop();
  }
}
