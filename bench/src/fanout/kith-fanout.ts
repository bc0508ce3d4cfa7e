import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { encodeBase64, type ClientFrame, type ServerFrame } from '@kith/core/protocol';
import { createTestIdentity, grantCapability, registerAndLogin, signTestEnvelope, type TestIdentity } from '@kith/relay/testing';
import { startBenchRelay } from '../kith/kith-relay.js';
import { asBytes, openSocket, type FanoutTarget } from './fanout.js';

const CONV = '0190a1b2-0000-7000-8000-0000000fa0a1';
let runs = 0;

const parse = (data: Buffer): ServerFrame => JSON.parse(data.toString('utf8')) as ServerFrame;
const sendFrame = (ws: WebSocket, frame: ClientFrame): void => ws.send(JSON.stringify(frame));

/** Authenticates a socket with `token` (answering the relay's `hello`); resolves once it says `authed`. */
async function authed(url: string, token: string): Promise<WebSocket> {
  let settle: (error?: Error) => void = () => undefined;
  const result = new Promise<void>((resolve, reject) => (settle = (e) => (e === undefined ? resolve() : reject(e))));
  const opened: { socket?: WebSocket } = {};
  let greeted = false;
  const sendAuth = (): void => sendFrame(opened.socket!, { v: 1, t: 'auth', id: 0, token });
  const onMessage = (data: RawData): void => {
    const f = parse(asBytes(data));
    if (f.t === 'hello') {
      greeted = true;
      if (opened.socket !== undefined) sendAuth();
    } else if (f.t === 'authed') {
      opened.socket?.off('message', onMessage);
      settle();
    } else if (f.t === 'error') settle(new Error(`auth refused: ${JSON.stringify(f)}`));
  };
  const socket = await openSocket(url, onMessage);
  opened.socket = socket;
  // The hello may have arrived with the upgrade, before the socket was known here.
  if (greeted) sendAuth();
  await result;
  return socket;
}

/**
 * The Kith relay (child process, default durability) at the wire: each sender is an account
 * pushing validly signed envelopes (200-byte bodies) to its feed document of one conversation,
 * pipelined, each acknowledged after its commit is durable; each subscriber holds a read
 * capability for the conversation and subscribes to every sender's feed. The relay verifies
 * every signature and stores every envelope before forwarding it.
 */
export async function kithFanoutTarget(senders: number, bytes: number): Promise<FanoutTarget> {
  const relay = await startBenchRelay();
  return kithFanoutOn([relay.url], senders, bytes, () => relay.stop());
}

/**
 * The same workload against relays at `urls` (instances of one cluster, or one relay):
 * subscribers and senders take the instances in turn; `stop` stops them.
 */
export async function kithFanoutOn(urls: readonly string[], senders: number, bytes: number, stop: () => Promise<void>): Promise<FanoutTarget> {
  let turn = 0;
  const nextUrl = (): string => urls[turn++ % urls.length]!;
  const f = (path: string, init?: RequestInit): Promise<Response> => fetch(`${urls[0]!}${path}`, init);
  const wsOf = (url: string): string => `${url.replace(/^http/, 'ws')}/v1/ws`;
  const run = `${process.pid.toString(36)}${(runs++).toString(36)}`;
  const owner = createTestIdentity(`fanout-owner-${run}`);
  const ownerToken = await registerAndLogin(f, owner, `fo_${run}`);
  const granted = await grantCapability(f, ownerToken, owner, { scope: `conv:${CONV}`, readToken: 'read' });
  if (!granted.ok) throw new Error(`capability refused: ${granted.status}`);
  const writers: { id: TestIdentity; token: string; doc: string }[] = [];
  for (let i = 0; i < senders; i++) {
    const id = createTestIdentity(`fanout-sender-${run}-${i}`);
    writers.push({ id, token: await registerAndLogin(f, id, `fs_${run}_${i}`), doc: `feed:${CONV}:${id.userId}:0` });
  }
  return {
    async subscribe(delivered) {
      const sock = await authed(wsOf(nextUrl()), ownerToken);
      let oks = 0;
      await new Promise<void>((resolve, reject) => {
        sock.on('message', (data) => {
          const fr = parse(asBytes(data));
          if (fr.t === 'entry') delivered.add();
          else if (fr.t === 'entries') delivered.add(fr.entries.length);
          else if (fr.t === 'ok' && ++oks === writers.length) resolve();
          else if (fr.t === 'error') reject(new Error(`subscription refused: ${JSON.stringify(fr)}`));
        });
        writers.forEach((w, i) => sendFrame(sock, { v: 1, t: 'sub', id: i + 1, doc: w.doc, cap: 'read', after: 0 }));
      });
      return sock;
    },
    async sender(index, count) {
      const w = writers[index]!;
      const frames = Array.from({ length: count }, (_, i): ClientFrame => ({
        v: 1,
        t: 'push',
        id: i + 1,
        env: encodeBase64(signTestEnvelope(w.id, { doc: w.doc, counter: i + 1, body: new Uint8Array(randomBytes(bytes)) })),
      }));
      const sock = await authed(wsOf(urls[index % urls.length]!), w.token);
      return {
        ws: sock,
        go: () =>
          new Promise<void>((resolve, reject) => {
            let acks = 0;
            sock.on('message', (data) => {
              const fr = parse(asBytes(data));
              if (fr.t === 'ack' && ++acks === count) resolve();
              else if (fr.t === 'error') reject(new Error(`push refused: ${JSON.stringify(fr)}`));
            });
            for (const fr of frames) sendFrame(sock, fr);
          }),
      };
    },
    stop,
  };
}
