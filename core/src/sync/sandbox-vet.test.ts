import { afterAll, describe, expect, it } from 'vitest';
import { parseDocId, parseUserId, type DeviceId } from '../ids.js';
import { createSystemClock } from '../platform/system-clock.js';
import { createDecodeSandbox } from '../sandbox/decode-sandbox.js';
import { createNodeWorkerHost } from '../sandbox/node/node-worker-host.js';
import { vetWithSandbox } from './sandbox-vet.js';

const sandbox = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock(), budgetMs: 2000 });
afterAll(() => sandbox.close());

describe('H4: the Yjs vet enforces the author scope (SYNC-14, SBX-5)', () => {
  it('H4: an update writing outside the feed collections is refused by vetWithSandbox; in-scope and own updates pass', async () => {
    const Y = await import('yjs');
    const me = parseUserId('0b5a2c1e-7f3d-4e8a-9b6c-1d2e3f4a5b6c');
    const mallory = parseUserId('1c6b3d2f-8a4e-4f9b-8c7d-2e3f4a5b6c7d');
    const doc = parseDocId(`feed:2d7c4e3a-9b5f-4a0c-9d8e-3f4a5b6c7d8e:${mallory}:0`);
    const make = (fn: (d: InstanceType<typeof Y.Doc>) => void): Uint8Array => {
      const d = new Y.Doc();
      fn(d);
      return Y.encodeStateAsUpdate(d);
    };
    const vet = vetWithSandbox(sandbox, me);
    const change = (author: typeof me, payload: Uint8Array) => ({ doc, kind: 'update' as const, author, device: '11111111-1111-4111-8111-111111111111' as DeviceId, counter: 1, payload });
    const inScope = make((d) => d.getMap('msg').set('m1', { text: 'hi', attachments: [] }));
    const outside = make((d) => d.getMap('convState').set('x', { pinned: true }));
    const codes = [];
    for (const c of [change(mallory, inScope), change(mallory, outside), change(me, outside)]) {
      const r = await vet(c);
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['ok', 'unauthorized', 'ok']);
    console.log(`H4 vet: in-scope/out-of-scope/own = ${codes.join('/')}; quarantined ${sandbox.quarantined().length}`);
  });
});

describe('BATCH-10: vetWithSandbox vets a range in one round trip', () => {
  it('BATCH-10 vet.range: the author scope holds per change of the range; one sandbox request for all of them', async () => {
    const Y = await import('yjs');
    const me = parseUserId('0b5a2c1e-7f3d-4e8a-9b6c-1d2e3f4a5b6c');
    const mallory = parseUserId('1c6b3d2f-8a4e-4f9b-8c7d-2e3f4a5b6c7d');
    const doc = parseDocId(`feed:2d7c4e3a-9b5f-4a0c-9d8e-3f4a5b6c7d8e:${mallory}:0`);
    const d = new Y.Doc();
    const payloads: Uint8Array[] = [];
    d.on('update', (u: Uint8Array) => payloads.push(u));
    for (let i = 0; i < 5; i++) d.getMap('msg').set(`m${i}`, { text: `hi ${i}`, attachments: [] });
    const outside = new Y.Doc();
    outside.getMap('convState').set('x', { pinned: true });
    payloads.splice(2, 0, Y.encodeStateAsUpdate(outside));
    const own = createDecodeSandbox({ host: createNodeWorkerHost(), clock: createSystemClock(), budgetMs: 2000 });
    try {
      const vet = vetWithSandbox(own, me);
      const changes = payloads.map((payload, i) => ({ doc, kind: 'update' as const, author: mallory, device: '11111111-1111-4111-8111-111111111111' as DeviceId, counter: i + 1, payload }));
      const rs = await vet.range!(changes);
      expect(rs.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok', 'unauthorized', 'ok', 'ok', 'ok']);
      // 6 checked; requests: the whole range, then what followed the refused one (BATCH-10).
      expect(own.stats()).toMatchObject({ checked: 6, accepted: 5, quarantined: 1, restarts: 0 });
    } finally {
      own.close();
    }
  });
});
