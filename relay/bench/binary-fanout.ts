import { randomBytes } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import { BINARY_FRAMES, decodeBinaryServerFrame, encodeBinaryPush, parseServerFrame, type ClientFrame } from '@kith/core/protocol';
import type { FanoutTarget } from '../../bench/src/fanout/fanout.js';
import { grantCapability, registerAndLogin } from '../src/testing/client.js';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../src/testing/identity.js';

const CONV = '0190a1b2-0000-7000-8000-0000000fb1a1';
let runs = 0;

const asBytes = (data: RawData): Uint8Array => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : new Uint8Array(data));

/** Opens a socket, answers `hello` with `auth` asking for binary frames (RLY-39), resolves at `authed`. */
function authed(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const onMessage = (data: RawData, isBinary: boolean): void => {
      if (isBinary) return;
      const f = parseServerFrame(asBytes(data).toString());
      if (!f.ok) return reject(new Error('bad frame'));
      if (f.value.t === 'hello') ws.send(JSON.stringify({ v: 1, t: 'auth', id: 0, token, frames: BINARY_FRAMES } satisfies ClientFrame));
      else if (f.value.t === 'authed') {
        ws.off('message', onMessage);
        if (f.value.frames !== BINARY_FRAMES) reject(new Error('relay did not confirm binary frames'));
        else resolve(ws);
      } else if (f.value.t === 'error') reject(new Error(f.value.message));
    };
    ws.on('message', onMessage);
    ws.once('error', reject);
  });
}

/**
 * The workload of bench/src/fanout/kith-fanout.ts (signed 200-byte envelopes to each sender's
 * feed, durable acks, every subscriber on every feed) with binary hot frames: pushes, acks and
 * live entries as bytes (RLY-41..44), counted from the decoded binary frames.
 */
export async function kithBinaryFanoutOn(url: string, senders: number, bytes: number, stop: () => Promise<void>): Promise<FanoutTarget> {
  const f = (path: string, init?: RequestInit): Promise<Response> => fetch(`${url}${path}`, init);
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/ws`;
  const run = `b${process.pid.toString(36)}${(runs++).toString(36)}`;
  const owner = createTestIdentity(`bin-owner-${run}`);
  const ownerToken = await registerAndLogin(f, owner, `bo_${run}`);
  await grantCapability(f, ownerToken, owner, { scope: `conv:${CONV}`, readToken: 'read' });
  const writers: { id: TestIdentity; token: string; doc: string }[] = [];
  for (let i = 0; i < senders; i++) {
    const id = createTestIdentity(`bin-sender-${run}-${i}`);
    writers.push({ id, token: await registerAndLogin(f, id, `bs_${run}_${i}`), doc: `feed:${CONV}:${id.userId}:0` });
  }
  return {
    async subscribe(delivered) {
      const sock = await authed(wsUrl, ownerToken);
      let oks = 0;
      await new Promise<void>((resolve, reject) => {
        sock.on('message', (data, isBinary) => {
          if (isBinary) {
            const b = decodeBinaryServerFrame(asBytes(data), 64 << 20);
            if (b.ok && b.value.t === 'entry') delivered.add();
            else if (b.ok && b.value.t === 'entries') delivered.add(b.value.entries.length);
            return;
          }
          const fr = parseServerFrame(asBytes(data).toString());
          if (fr.ok && fr.value.t === 'ok' && ++oks === writers.length) resolve();
          else if (fr.ok && fr.value.t === 'error') reject(new Error(fr.value.message));
        });
        writers.forEach((w, i) => sock.send(JSON.stringify({ v: 1, t: 'sub', id: i + 1, doc: w.doc, cap: 'read', after: 0 } satisfies ClientFrame)));
      });
      return sock;
    },
    async sender(index, count) {
      const w = writers[index]!;
      const frames = Array.from({ length: count }, (_, i) =>
        encodeBinaryPush({ t: 'push', id: i + 1, env: signTestEnvelope(w.id, { doc: w.doc, counter: i + 1, body: new Uint8Array(randomBytes(bytes)) }) }),
      );
      const sock = await authed(wsUrl, w.token);
      return {
        ws: sock,
        go: () =>
          new Promise<void>((resolve, reject) => {
            let acks = 0;
            sock.on('message', (data, isBinary) => {
              const b = isBinary ? decodeBinaryServerFrame(asBytes(data), 64 << 20) : undefined;
              if (b?.ok === true && b.value.t === 'ack' && ++acks === count) resolve();
              else if (!isBinary) reject(new Error(`push refused: ${asBytes(data).toString()}`));
            });
            for (const fr of frames) sock.send(fr);
          }),
      };
    },
    stop,
  };
}
