import { describe, expect, it } from 'vitest';
import { createIdentity } from './identity.js';
import { openBackup, openBackupEnvelope, sealBackup, sealBackupEnvelope, INTERACTIVE_LIMITS } from './backup.js';
import { selfCheckArgon2id } from './argon2-self-check.js';
import type { CryptoPort } from '../ports/crypto.js';
import { flipBit, makeUser, testCrypto } from './test-kit.js';

const FAST = { opsLimit: 1, memLimitBytes: 8 * 1024 * 1024 };

describe('account backup (BAK-1..6)', () => {
  it('BAK-1..3 restores the account on a new device from username + password only', async () => {
    const crypto = await testCrypto();
    const alice = makeUser(crypto, 'alice');
    const accountSalt = crypto.randomBytes(16);
    const t0 = performance.now();
    const blob = await sealBackup(crypto, { username: 'Alice', password: 'correct horse', bundle: alice.identity.exportBundle(), version: 1, accountSalt, limits: INTERACTIVE_LIMITS });
    const sealMs = performance.now() - t0;
    const opened = await openBackup(crypto, blob, { username: ' alice', password: 'correct horse' });
    if (!opened.ok) throw opened.error;
    const restored = createIdentity(crypto, { device: alice.identity.device, bundle: opened.value.bundle });
    expect(restored.userId).toBe(alice.id);
    expect(new TextDecoder().decode(blob)).not.toContain('correct horse');
    console.log(`[BAK] interactive Argon2id seal=${sealMs.toFixed(0)} ms, blob=${blob.length} B`);
  });

  it('BAK-2/4 wrong password, wrong username, flipped bits, truncation and an older blob: 0 decrypts, rollback detected', async () => {
    const crypto = await testCrypto();
    const alice = makeUser(crypto, 'alice');
    const accountSalt = crypto.randomBytes(16);
    const seal = (version: number): Promise<Uint8Array> => sealBackup(crypto, { username: 'alice', password: 'pw-1', bundle: alice.identity.exportBundle(), version, accountSalt, limits: FAST });
    const v1 = await seal(1);
    const v2 = await seal(2);
    const codes = new Map<string, number>();
    let decrypts = 0;
    const attempt = async (blob: Uint8Array, username = 'alice', password = 'pw-1', minVersion = 2): Promise<string> => {
      const r = await openBackup(crypto, blob, { username, password, minVersion });
      const code = r.ok ? 'DECRYPTED' : r.error.code;
      if (r.ok) decrypts++;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      return code;
    };
    expect(await attempt(v2, 'alice', 'pw-2')).toBe('wrong_password');
    expect(await attempt(v2, 'alicia')).toBe('wrong_password');
    expect(await attempt(v1)).toBe('rollback');
    // one flipped bit at the start and end of every field: magic, format, version, ops, memory,
    // salt, nonce, commitment, length, ciphertext (Argon2id runs per attempt, so not every bit)
    const fields: Array<[number, number]> = [[0, 4], [4, 5], [5, 9], [9, 13], [13, 17], [17, 33], [33, 57], [57, 89], [89, 93], [93, v2.length]];
    for (const [from, to] of fields) for (const byte of new Set([from, to - 1])) await attempt(flipBit(v2, byte * 8 + 2));
    for (const n of [0, 4, 20, 60, v2.length - 1]) await attempt(v2.subarray(0, n));
    console.log(`[BAK tamper] outcomes=${JSON.stringify(Object.fromEntries(codes))} decrypts=${decrypts}`);
    expect(decrypts).toBe(0);
    expect(codes.get('rollback')).toBe(1);
    expect((await openBackup(crypto, v2, { username: 'alice', password: 'pw-1', minVersion: 2 })).ok).toBe(true);
  });

  it('BAK-6 a backup envelope is signed by its account; tampering and another account are refused', async () => {
    const crypto = await testCrypto();
    const alice = makeUser(crypto, 'alice');
    const mallory = makeUser(crypto, 'mallory');
    const blob = await sealBackup(crypto, { username: 'alice', password: 'pw', bundle: alice.identity.exportBundle(), version: 3, accountSalt: crypto.randomBytes(16), limits: FAST });
    const env = sealBackupEnvelope(alice.identity, blob, 1);
    const opened = openBackupEnvelope(crypto, env);
    expect(opened.ok && opened.value.owner === alice.id && opened.value.version === 3).toBe(true);
    let accepted = 0;
    let attempts = 0;
    for (let bit = 0; bit < env.length * 8; bit += 17) {
      attempts++;
      if (openBackupEnvelope(crypto, flipBit(env, bit)).ok) accepted++;
    }
    const foreign = sealBackupEnvelope(mallory.identity, blob, 1);
    expect(openBackupEnvelope(crypto, foreign).ok).toBe(true); // mallory's own doc: fine, but not alice's account
    const r = await openBackup(crypto, blob, { username: 'alice', password: 'pw' });
    expect(r.ok && createIdentity(crypto, { device: alice.identity.device, bundle: r.value.bundle }).userId).not.toBe(mallory.id);
    console.log(`[BAK-6] tampered backup envelopes attempts=${attempts} accepted=${accepted}`);
    expect(accepted).toBe(0);
  });

  it('BAK-5 the startup self-check refuses a platform whose Argon2id returns wrong output', async () => {
    const crypto = await testCrypto();
    expect((await selfCheckArgon2id(crypto)).ok).toBe(true);
    const broken: CryptoPort = { ...crypto, argon2id: async (...args) => (await crypto.argon2id(...args)).map((b, i) => (i === 0 ? b ^ 1 : b)) };
    const r = await selfCheckArgon2id(broken);
    expect(r.ok ? 'ok' : r.error.code).toBe('self_check_failed');
    await expect(sealBackup(broken, { username: 'a', password: 'b', bundle: makeUser(crypto, 'x').identity.exportBundle(), version: 1, accountSalt: new Uint8Array(16), limits: FAST })).rejects.toThrow(/self_check_failed/);
  });
});
