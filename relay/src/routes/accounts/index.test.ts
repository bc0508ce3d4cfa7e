import { createSodiumCrypto, decodePublicIdentity } from '@kith/core';
import { decodeHex, encodeHex } from '@kith/core/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestIdentity, type TestIdentity } from '../../testing/identity.js';
import { login, registerAndLogin, registrationBody } from '../../testing/client.js';
import { createTestRelay, type TestRelay } from '../../testing/fixture.js';

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('accounts and directory (ACC-*, RLY-15)', () => {
  let t: TestRelay;
  let alice: TestIdentity;
  let bob: TestIdentity;
  beforeEach(async () => {
    t = await createTestRelay();
    alice = createTestIdentity('alice');
    bob = createTestIdentity('bob');
  });

  it('ACC-1/ACC-2 registers, rejects a case-insensitive duplicate and a forged signature, looks up any case', async () => {
    expect((await t.fetch('/v1/accounts', post(registrationBody(alice, 'Alice')))).status).toBe(201);
    const dup = await t.fetch('/v1/accounts', post(registrationBody(bob, 'aLiCe')));
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { error: { code: string } }).error.code).toBe('conflict');
    const forged = { ...(registrationBody(bob, 'bob') as Record<string, unknown>), signKey: encodeHex(alice.signPublic) };
    expect((await t.fetch('/v1/accounts', post(forged))).status).toBe(400);
    const bad = await t.fetch('/v1/accounts', post({ v: 1, username: 'x y', signKey: 'zz' }));
    expect(bad.status).toBe(400);
    const found = await t.fetch('/v1/accounts/ALICE');
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ userId: alice.userId, username: 'Alice' });
    expect((await t.fetch('/v1/accounts/nobody')).status).toBe(404);
    console.log('[accounts] register 201, duplicate 409, forged 400, lookup ok');
  });

  it('stores the opaque backup, serves it by username, refuses an older or equal version', async () => {
    const token = await registerAndLogin(t.fetch, alice, 'alice');
    const put = (version: string, bytes: number[]) =>
      t.fetch('/v1/backup', { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'x-kith-backup-version': version }, body: new Uint8Array(bytes) });
    expect((await put('2', [1, 2, 3])).status).toBe(200);
    const rollback = await put('1', [9]);
    expect(rollback.status).toBe(409);
    expect(((await rollback.json()) as { error: { code: string } }).error.code).toBe('rollback');
    expect((await put('2', [9])).status).toBe(409);
    expect((await put('x', [9])).status).toBe(400);
    const res = await t.fetch('/v1/accounts/Alice/backup');
    expect(res.headers.get('x-kith-backup-version')).toBe('2');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
    expect((await t.fetch('/v1/backup', { method: 'PUT', body: new Uint8Array([1]) })).status).toBe(401);
    const big = await t.fetch('/v1/backup', { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'x-kith-backup-version': '5' }, body: new Uint8Array(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
  });

  it('sessions come from a signed challenge, are single-use and expire (SES-1, SES-2, SES-3)', async () => {
    const token = await registerAndLogin(t.fetch, alice, 'alice');
    await t.fetch('/v1/accounts', post(registrationBody(bob, 'bob')));
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await t.fetch('/v1/caps/conv:x', auth)).status).toBe(404);
    // bob signs alice's challenge: refused
    const ch = (await (await t.fetch('/v1/auth/challenge', post({ user: alice.userId }))).json()) as { nonce: string };
    const sodium = (await import('libsodium-wrappers')).default;
    const { authSigningBytes } = await import('@kith/core');
    const sig = sodium.crypto_sign_detached(authSigningBytes(sodium.from_hex(ch.nonce), alice.userId, alice.device), bob.signSecret);
    const body = { user: alice.userId, device: alice.device, nonce: ch.nonce, signature: encodeHex(sig) };
    expect((await t.fetch('/v1/auth/session', post(body))).status).toBe(400);
    // the nonce was consumed by that attempt
    const good = sodium.crypto_sign_detached(authSigningBytes(sodium.from_hex(ch.nonce), alice.userId, alice.device), alice.signSecret);
    expect((await t.fetch('/v1/auth/session', post({ ...body, signature: encodeHex(good) }))).status).toBe(401);
    // an expired challenge
    const ch2 = (await (await t.fetch('/v1/auth/challenge', post({ user: alice.userId }))).json()) as { nonce: string };
    t.clock.advance(61_000);
    const sig2 = sodium.crypto_sign_detached(authSigningBytes(sodium.from_hex(ch2.nonce), alice.userId, alice.device), alice.signSecret);
    expect((await t.fetch('/v1/auth/session', post({ ...body, nonce: ch2.nonce, signature: encodeHex(sig2) }))).status).toBe(401);
    // sessions expire after the TTL; logout revokes
    t.clock.advance(7 * 24 * 3600 * 1000);
    expect((await t.fetch('/v1/caps/conv:x', auth)).status).toBe(401);
    const fresh = await login(t.fetch, alice);
    expect((await t.fetch('/v1/auth/session', { method: 'DELETE', headers: { authorization: `Bearer ${fresh}` } })).status).toBe(200);
    expect((await t.fetch('/v1/caps/conv:x', { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(401);
  });

  it('C1: stores the signed public identity (KEY-1, ACC-3) at registration and returns it from lookup', async () => {
    const body = registrationBody(alice, 'alice') as Record<string, unknown>;
    // A box key the signing key did not sign (a relay-substituted key) is refused.
    const forgedIdentity = new Uint8Array(alice.publicIdentity);
    forgedIdentity.set(bob.boxPublic, 32);
    expect((await t.fetch('/v1/accounts', post({ ...body, identity: encodeHex(forgedIdentity) }))).status).toBe(400);
    // bob's valid identity under alice's registration: keys do not match the registration.
    expect((await t.fetch('/v1/accounts', post({ ...body, identity: encodeHex(bob.publicIdentity) }))).status).toBe(400);
    expect((await t.fetch('/v1/accounts', post({ ...body, identity: 'abcd' }))).status).toBe(400);
    expect((await t.fetch('/v1/accounts', post(body))).status).toBe(201);
    const found = (await (await t.fetch('/v1/accounts/alice')).json()) as Record<string, string>;
    expect(found['identity']).toBe(encodeHex(alice.publicIdentity));
    const decoded = decodePublicIdentity(await createSodiumCrypto(), decodeHex(found['identity'])!);
    expect(decoded.ok && decoded.value.userId).toBe(alice.userId);
    expect(decoded.ok && Buffer.from(decoded.value.boxKey).equals(Buffer.from(alice.boxPublic))).toBe(true);
    // Backward compatible: the current client still reads signKey/boxKey.
    expect(found).toMatchObject({ signKey: encodeHex(alice.signPublic), boxKey: encodeHex(alice.boxPublic) });
    console.log('[accounts] C1 forged identity 400, mismatched 400, identity stored and verified on lookup');
  });

  it('L3: a challenge flood never evicts unexpired challenges; per-address cap; the victim can still log in (SES-1)', async () => {
    t = await createTestRelay({ limits: { maxChallenges: 10, maxChallengesPerAddress: 4 } });
    await t.fetch('/v1/accounts', post(registrationBody(alice, 'alice')));
    const victim = await t.relay.auth.challenge(alice.userId, 'victim');
    expect(victim.ok).toBe(true);
    const codes: string[] = [];
    for (let a = 0; a < 5; a++) {
      for (let i = 0; i < 5; i++) {
        const r = await t.relay.auth.challenge(bob.userId, `attacker-${a}`);
        codes.push(r.ok ? 'ok' : r.error.code);
      }
    }
    expect(codes.filter((c) => c === 'ok').length).toBe(9);
    expect(codes.filter((c) => c === 'rate_limited').length).toBe(16);
    // The victim's challenge survived the flood.
    const sodium = (await import('libsodium-wrappers')).default;
    const { authSigningBytes } = await import('@kith/core');
    const nonce = victim.ok ? victim.value.nonce : '';
    const sig = sodium.crypto_sign_detached(authSigningBytes(sodium.from_hex(nonce), alice.userId, alice.device), alice.signSecret);
    const session = await t.relay.auth.createSession({ user: alice.userId, device: alice.device, nonce, signature: encodeHex(sig) });
    expect(session.ok).toBe(true);
    // Once they expire, challenges are issued again.
    t.clock.advance(60_001);
    expect((await t.relay.auth.challenge(bob.userId, 'attacker-0')).ok).toBe(true);
    console.log(`[auth] L3 flood: ${codes.filter((c) => c === 'ok').length} issued, ${codes.filter((c) => c !== 'ok').length} refused; victim logged in`);
  });
});
