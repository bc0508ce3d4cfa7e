import { createSeededRandom, fuzzBudgetMs, seedFromEnv, withSeed, type SeededRandom } from '@kith/core/testing';
import { decodeEnvelope, envelopeSigningBytes } from '@kith/core';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, encodeBinaryPush } from '@kith/core/protocol';
import { createTestIdentity, signTestEnvelope, type TestIdentity } from '../testing/identity.js';
import { grantCapability, registerAndLogin, registrationBody } from '../testing/client.js';
import { createTestRelay, type TestRelay } from '../testing/fixture.js';
import { openTestSocket, settle, type TestSocketClient } from '../testing/socket-pair.js';

const CONV = '0190a1b2-0000-7000-8000-00000000c0a1';
const feedOf = (id: TestIdentity): string => `feed:${CONV}:${id.userId}:0`;

let unhandled = 0;
const onUnhandled = (): void => {
  unhandled++;
};

/** Values that break parsers: wrong types, huge numbers, deep nesting, prototype keys, oversize. */
function hostileValue(r: SeededRandom): unknown {
  switch (r.int(14)) {
    case 0: return 1e308;
    case 1: return -1;
    case 2: return 2 ** 64;
    case 3: return 'x'.repeat(r.int(3) === 0 ? 80_000 : 300);
    case 4: return null;
    case 5: return [1, [2, [3, [4, [5, [6]]]]]];
    case 6: return { __proto__: { polluted: true } };
    case 7: return JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    case 8: return true;
    case 9: return '';
    case 10: return 0.5;
    case 11: return '====';
    case 12: return { constructor: { prototype: { polluted: 1 } } };
    default: return r.int(0x7fffffff);
  }
}

function mutateBytes(r: SeededRandom, b: Uint8Array): Uint8Array {
  const out = b.slice();
  const n = 1 + r.int(4);
  for (let i = 0; i < n && out.length > 0; i++) out[r.int(out.length)] = r.int(256);
  if (r.chance(0.2)) return out.subarray(0, r.int(out.length + 1));
  return out;
}

/** One hostile WebSocket message derived from a valid frame. */
function mutateFrame(r: SeededRandom, valid: Record<string, unknown>): string | Uint8Array {
  const text = JSON.stringify(valid);
  switch (r.int(10)) {
    case 0: return r.bytes(r.int(200));
    case 1: return text.slice(0, r.int(text.length));
    case 2: return `${'['.repeat(5000)}${']'.repeat(5000)}`;
    case 3: return text.replace('{', '{"__proto__":{"admin":true},');
    case 4: {
      const keys = Object.keys(valid);
      const copy: Record<string, unknown> = { ...valid };
      copy[r.pick(keys)] = hostileValue(r);
      return JSON.stringify(copy);
    }
    case 5: {
      const copy: Record<string, unknown> = { ...valid };
      delete copy[r.pick(Object.keys(valid))];
      return JSON.stringify(copy);
    }
    case 6: {
      if (typeof valid['env'] === 'string') return JSON.stringify({ ...valid, env: encodeBase64(mutateBytes(r, decodeBase64(valid['env'])!)) });
      return JSON.stringify({ ...valid, v: r.pick([0, 2, '1', null]) });
    }
    case 7: return 'x'.repeat(70 * 1024);
    case 8: {
      const chars = text.split('');
      for (let i = 0; i < 3; i++) chars[r.int(chars.length)] = String.fromCharCode(r.int(128));
      return chars.join('');
    }
    default: return JSON.stringify({ ...valid, t: r.pick(['push', 'auth', 'nope', 'signal', 42]) });
  }
}

describe('seeded fuzz: every WebSocket frame type and HTTP route, before and after auth', () => {
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));

  it('0 crashes, 0 unhandled rejections, 0 invalid entries stored; a well-behaved client keeps working', async () => {
    const seed = seedFromEnv();
    await withSeed(seed, async () => {
      const r = createSeededRandom(seed);
      const t: TestRelay = await createTestRelay({ limits: { maxFrameBytes: 64 * 1024, connRate: 1e6, connBurst: 1e6, accountRate: 1e6, accountBurst: 1e6, ipRate: 1e6, ipBurst: 1e6, maxBlobBytes: 256 * 1024 } });
      const alice = createTestIdentity('alice');
      const mallory = createTestIdentity('mallory');
      const aliceToken = await registerAndLogin(t.fetch, alice, 'alice');
      const malloryToken = await registerAndLogin(t.fetch, mallory, 'mallory');
      await grantCapability(t.fetch, aliceToken, alice, { scope: `conv:${CONV}`, readToken: 'read' });

      const open = async (token?: string, binary = false): Promise<TestSocketClient> => {
        const s = openTestSocket(t.relay);
        if (token !== undefined) {
          s.send({ v: 1, t: 'auth', id: 0, token, ...(binary ? { frames: 'binary-1' as const } : {}) });
          await settle(t.relay, 1);
        }
        return s;
      };
      // RLY-39..45: the well-behaved client and the watcher use binary frames; a third hostile
      // connection negotiated them and sends mutated binary pushes.
      const good = await open(aliceToken, true);
      const watcher = await open(malloryToken, true);
      watcher.send({ v: 1, t: 'sub', id: 1, doc: feedOf(alice), cap: 'read', after: 0 });
      let hostile = await open(malloryToken);
      let anon = await open();
      let binHostile = await open(malloryToken, true);
      let binaryFrames = 0;
      let malloryCounter = 0;
      let aliceCounter = 0;
      let wsFrames = 0;
      let httpRequests = 0;
      const statuses = new Map<number, number>();

      const validFrames = (): Record<string, unknown>[] => [
        { v: 1, t: 'auth', id: 1, token: malloryToken },
        { v: 1, t: 'push', id: 2, env: encodeBase64(signTestEnvelope(mallory, { doc: feedOf(mallory), counter: ++malloryCounter, body: r.bytes(32) })) },
        { v: 1, t: 'pull', id: 3, doc: feedOf(alice), cap: 'read', after: 0, limit: 5 },
        { v: 1, t: 'sub', id: 4, doc: feedOf(mallory), cap: 'read', after: 0 },
        { v: 1, t: 'unsub', id: 5, doc: feedOf(mallory) },
        { v: 1, t: 'presence', id: 6, state: 'away', to: [alice.userId] },
        { v: 1, t: 'signal', id: 7, kind: 'offer', to: { user: alice.userId, device: alice.device }, body: 'AAAA' },
        { v: 1, t: 'ping', id: 8 },
      ];
      const blob = r.bytes(100);
      const blobId = sodium.to_hex(sodium.crypto_generichash(32, blob, null));
      const auth = { authorization: `Bearer ${malloryToken}` };
      const routes = (): { path: string; init: RequestInit }[] => [
        { path: '/v1/accounts', init: { method: 'POST', body: JSON.stringify(registrationBody(createTestIdentity(`m${r.int(1e9)}`), `u${r.int(1e9)}`)) } },
        { path: '/v1/accounts/alice', init: {} },
        { path: '/v1/accounts/alice/backup', init: {} },
        { path: '/v1/backup', init: { method: 'PUT', headers: { ...auth, 'x-kith-backup-version': String(1 + r.int(100)) }, body: r.bytes(50) as Uint8Array<ArrayBuffer> } },
        { path: '/v1/auth/challenge', init: { method: 'POST', body: JSON.stringify({ user: mallory.userId }) } },
        { path: '/v1/auth/session', init: { method: 'POST', body: JSON.stringify({ user: mallory.userId, device: mallory.device, nonce: '00'.repeat(32), signature: '00'.repeat(64) }) } },
        { path: '/v1/caps', init: { method: 'PUT', headers: auth, body: JSON.stringify({ v: 1, scope: `conv:${CONV}`, version: 2, readHash: '00'.repeat(32), controllers: ['00'.repeat(32)], signer: '00'.repeat(32), signature: '00'.repeat(64) }) } },
        { path: `/v1/caps/conv:${CONV}`, init: { headers: auth } },
        { path: '/v1/docs', init: { method: 'POST', headers: auth, body: signTestEnvelope(mallory, { doc: feedOf(mallory), counter: ++malloryCounter, body: r.bytes(16) }) as Uint8Array<ArrayBuffer> } },
        { path: `/v1/docs/${feedOf(alice)}?after=0&limit=3`, init: { headers: { ...auth, 'x-kith-cap': 'read' } } },
        { path: `/v1/blobs/${blobId}`, init: { method: 'PUT', headers: auth, body: blob as Uint8Array<ArrayBuffer> } },
        { path: `/v1/blobs/${blobId}`, init: { headers: { ...auth, range: 'bytes=0-9' } } },
        { path: '/health', init: {} },
      ];

      const mutateRequest = (req: { path: string; init: RequestInit }): { path: string; init: RequestInit } => {
        const init: RequestInit = { ...req.init };
        switch (r.int(7)) {
          case 0: init.body = r.bytes(r.int(300)) as Uint8Array<ArrayBuffer>; break;
          case 1: init.body = '['.repeat(100_000); break;
          case 2: init.body = '{"__proto__":{"x":1},"v":1}'; break;
          case 3: init.headers = { ...(init.headers as Record<string, string>), authorization: `Bearer ${'A'.repeat(r.int(300))}`, 'x-kith-backup-version': '99999999999999999999', range: 'bytes=-0', 'x-kith-cap': '%%%' }; break;
          case 4: return { path: req.path.replace(/[a-z0-9]{3}/, (m) => (r.chance(0.5) ? '..%2f' : m.toUpperCase())) + (r.chance(0.5) ? '?after=1e309&limit=-5' : ''), init };
          case 5: init.body = new Uint8Array(300 * 1024); break;
          default: if (typeof init.body === 'string') { const o = JSON.parse(init.body) as Record<string, unknown>; o[r.pick(Object.keys(o))] = hostileValue(r); init.body = JSON.stringify(o); }
        }
        if (init.body !== undefined && (init.method === undefined || init.method === 'GET')) init.method = r.pick(['POST', 'PUT', 'DELETE']);
        return { path: req.path, init };
      };

      const deadline = Date.now() + fuzzBudgetMs(2500);
      let round = 0;
      while (Date.now() < deadline || round < 200) {
        round++;
        if (r.chance(0.2)) {
          // A binary push (RLY-41), mutated: flipped bytes, truncation, random flags, other formats.
          const env = signTestEnvelope(mallory, { doc: feedOf(mallory), counter: ++malloryCounter, body: r.bytes(32) });
          const valid = encodeBinaryPush({ t: 'push', id: 1 + r.int(100), env, ...(r.chance(0.3) ? { cap: 'read' } : {}), ...(r.chance(0.2) ? { supersedes: r.int(1000) } : {}) });
          const frame = r.chance(0.8) ? mutateBytes(r, valid) : r.chance(0.5) ? valid : r.bytes(r.int(64));
          (r.chance(0.2) ? hostile : binHostile).send(frame);
          binaryFrames++;
          if (binHostile.closed !== undefined) binHostile = await open(malloryToken, true);
          if (hostile.closed !== undefined) hostile = await open(malloryToken);
        } else if (r.chance(0.75)) {
          const target = r.chance(0.3) ? anon : hostile;
          const frame = r.chance(0.85) ? mutateFrame(r, r.pick(validFrames())) : JSON.stringify(r.pick(validFrames()));
          target.send(frame);
          wsFrames++;
          if (hostile.closed !== undefined) hostile = await open(malloryToken);
          if (anon.closed !== undefined) anon = await open();
        } else {
          const req = r.chance(0.85) ? mutateRequest(r.pick(routes())) : r.pick(routes());
          const res = await t.fetch(req.path, req.init);
          httpRequests++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${req.init.method ?? 'GET'} ${req.path}`).toBeLessThan(500);
        }
        if (round % 10 === 0) {
          const env = signTestEnvelope(alice, { doc: feedOf(alice), counter: ++aliceCounter, body: r.bytes(24) });
          good.send(r.chance(0.5) ? encodeBinaryPush({ t: 'push', id: 1000 + round, env }) : { v: 1, t: 'push', id: 1000 + round, env: encodeBase64(env) });
          await settle(t.relay, 1);
        }
      }
      await settle(t.relay);

      // Oracles.
      const acks = good.frames('ack').length;
      expect(acks).toBe(aliceCounter);
      expect(good.closed).toBeUndefined();
      const live = watcher.frames('entry').length + watcher.frames('entries', 1).reduce((n, f) => n + f.entries.length, 0);
      expect(live).toBe(aliceCounter);
      expect(watcher.binaryFrames).toBeGreaterThan(0);
      const crashes = t.logs.filter((l) => l.includes('handler_failed') || l.includes('http.internal')).length;
      expect(crashes).toBe(0);
      expect(unhandled).toBe(0);
      let stored = 0;
      let invalid = 0;
      for (const doc of [feedOf(alice), feedOf(mallory)]) {
        for (const e of await t.relay.ctx.store.docs.read(doc, 0, 1e9)) {
          stored++;
          const d = decodeEnvelope(e.bytes);
          if (!d.ok || !sodium.crypto_sign_verify_detached(d.value.signature, envelopeSigningBytes(d.value, d.value.nonce, d.value.body), d.value.author)) invalid++;
        }
      }
      expect(invalid).toBe(0);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
      console.log(
        `[fuzz] seed=${seed} rounds=${round} wsFrames=${wsFrames} binaryFrames=${binaryFrames} http=${httpRequests} statuses=${JSON.stringify(Object.fromEntries(statuses))} ` +
          `rejects=${JSON.stringify(Object.fromEntries(t.relay.metrics.rejects))} crashes=${crashes} unhandled=${unhandled} stored=${stored} invalidStored=${invalid} aliceAcks=${acks}/${aliceCounter} live=${live}`,
      );
    });
  });
});
