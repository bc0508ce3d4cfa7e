import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeBase64, type ServerFrame } from '@kith/core/protocol';
import { createJsonLogger } from '../ops/logger.js';
import { createTestIdentity, signTestEnvelope } from '../testing/identity.js';
import { grantCapability, registerAndLogin } from '../testing/client.js';
import { startNodeRelay } from './node.js';

const CONV = '0190a1b2-0000-7000-8000-00000000cafe';
const PLAINTEXT = 'CANARY-PLAINTEXT-7f3a9c-the-secret-message';
const PASSWORD = 'CANARY-PASSWORD-correct-horse-91b2';
const USERNAME = 'CanaryUser_5e1d';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function seal(key: Uint8Array, text: string): Uint8Array {
  const nonce = new Uint8Array(24);
  crypto.getRandomValues(nonce);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sodium.from_string(text), null, null, nonce, key);
  const out = new Uint8Array(24 + ct.length);
  out.set(nonce);
  out.set(ct, 24);
  return out;
}

async function nextFrame(ws: WebSocket, t: ServerFrame['t']): Promise<ServerFrame> {
  return new Promise((resolve) => {
    const on = (data: Buffer): void => {
      const f = JSON.parse(data.toString('utf8')) as ServerFrame;
      if (f.t === t) {
        ws.off('message', on);
        resolve(f);
      }
    };
    ws.on('message', on);
  });
}

describe('canary: plaintext never reaches the relay’s disk or logs (RLY-1, OPS-3, THREAT § Relay)', () => {
  it('finds the ciphertext on disk but never the plaintext, the password, or the username in logs', async () => {
    await sodium.ready;
    const dataDir = mkdtempSync(join(tmpdir(), 'kith-canary-'));
    const logs: string[] = [];
    const running = await startNodeRelay({ port: 0, hostname: '127.0.0.1', dataDir, logger: createJsonLogger((l) => logs.push(l)) });
    const base = `http://127.0.0.1:${running.port}`;
    const f = (p: string, i?: RequestInit): Promise<Response> => fetch(`${base}${p}`, i);
    const alice = createTestIdentity('canary-alice');
    const bob = createTestIdentity('canary-bob');
    const token = await registerAndLogin(f, alice, USERNAME);
    const bobToken = await registerAndLogin(f, bob, 'canary_bob');
    await grantCapability(f, token, alice, { scope: `conv:${CONV}`, readToken: 'read' });
    const key = sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
    const doc = `feed:${CONV}:${alice.userId}:0`;
    const ciphertexts: Uint8Array[] = [];

    // envelopes over HTTP
    for (let i = 1; i <= 20; i++) {
      const body = seal(key, `${PLAINTEXT} #${i}`);
      ciphertexts.push(body);
      const res = await f('/v1/docs', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: signTestEnvelope(alice, { doc, counter: i, body }) as Uint8Array<ArrayBuffer> });
      expect(res.status).toBe(201);
    }
    // envelopes, subscription and signaling over a real WebSocket
    const wsA = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
    const wsB = new WebSocket(`${base.replace('http', 'ws')}/v1/ws`);
    await Promise.all([nextFrame(wsA, 'hello'), nextFrame(wsB, 'hello')]);
    wsA.send(JSON.stringify({ v: 1, t: 'auth', id: 1, token }));
    wsB.send(JSON.stringify({ v: 1, t: 'auth', id: 1, token: bobToken }));
    await Promise.all([nextFrame(wsA, 'authed'), nextFrame(wsB, 'authed')]);
    wsB.send(JSON.stringify({ v: 1, t: 'sub', id: 2, doc, cap: 'read', after: 20 }));
    await nextFrame(wsB, 'ok');
    const live = nextFrame(wsB, 'entry');
    wsA.send(JSON.stringify({ v: 1, t: 'push', id: 3, env: encodeBase64(signTestEnvelope(alice, { doc, counter: 21, body: seal(key, `${PLAINTEXT} #21`) })) }));
    expect(await nextFrame(wsA, 'ack')).toMatchObject({ id: 3, duplicate: false });
    expect(await live).toMatchObject({ t: 'entry', doc });
    const signal = nextFrame(wsB, 'signal');
    wsA.send(JSON.stringify({ v: 1, t: 'signal', id: 4, kind: 'offer', to: { user: bob.userId }, body: encodeBase64(seal(key, `${PLAINTEXT} sdp`)) }));
    expect(await signal).toMatchObject({ kind: 'offer', from: { user: alice.userId } });
    // an oversize frame is refused by ws's maxPayload, not buffered
    const closed = new Promise<number>((r) => wsB.once('close', (code) => r(code)));
    wsB.send('x'.repeat(5 * 1024 * 1024));
    expect(await closed).toBe(1009);

    // a blob and the password-encrypted backup
    const blob = seal(key, PLAINTEXT.repeat(100));
    const blobId = sodium.to_hex(sodium.crypto_generichash(32, blob, null));
    expect((await f(`/v1/blobs/${blobId}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: blob as Uint8Array<ArrayBuffer> })).status).toBe(201);
    const pwKey = sodium.crypto_generichash(32, sodium.from_string(PASSWORD), null);
    const backup = seal(pwKey, `${PLAINTEXT} identity keys`);
    expect((await f('/v1/backup', { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'x-kith-backup-version': '1' }, body: backup as Uint8Array<ArrayBuffer> })).status).toBe(200);
    expect((await f(`/v1/accounts/${USERNAME.toLowerCase()}`)).status).toBe(200);

    // scan the database and WAL while the relay is live, then again after shutdown
    const scan = (): { files: number; plaintext: number; password: number; ciphertextFound: boolean } => {
      const files = filesUnder(dataDir);
      let plaintext = 0;
      let password = 0;
      let ciphertextFound = false;
      const needle = Buffer.from(ciphertexts[0]!);
      for (const file of files) {
        const bytes = readFileSync(file);
        if (bytes.includes(Buffer.from('CANARY-PLAINTEXT'))) plaintext++;
        if (bytes.includes(Buffer.from(PASSWORD))) password++;
        if (bytes.includes(needle)) ciphertextFound = true;
      }
      return { files: files.length, plaintext, password, ciphertextFound };
    };
    const live1 = scan();
    expect(existsSync(join(dataDir, 'relay.db-wal'))).toBe(true);
    wsA.close();
    await running.close();
    const after = scan();
    const logText = logs.join('');
    const inLogs = {
      plaintext: logText.includes('CANARY-PLAINTEXT'),
      password: logText.includes(PASSWORD),
      username: logText.toLowerCase().includes(USERNAME.toLowerCase()),
      token: logText.includes(token),
    };
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`[canary] files scanned live=${live1.files} after=${after.files}; plaintext hits ${live1.plaintext + after.plaintext}, password hits ${live1.password + after.password}, ciphertext found (control) ${live1.ciphertextFound}; log lines ${logs.length}, in logs ${JSON.stringify(inLogs)}`);
    expect(live1.ciphertextFound || after.ciphertextFound).toBe(true);
    expect(live1.plaintext + after.plaintext).toBe(0);
    expect(live1.password + after.password).toBe(0);
    expect(inLogs).toEqual({ plaintext: false, password: false, username: false, token: false });
  });
});
