import { describe, expect, it } from 'vitest';
import { createIdentity } from '../crypto/identity.js';
import { SecretKey } from '../crypto/secret-key.js';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import type { DeviceId } from '../ids.js';
import { inboxDocId, openIntro, sealIntro } from './intro.js';

const device = '11111111-1111-4111-8111-111111111111' as DeviceId;

describe('introductions (SYNC-4)', () => {
  it('opens only for its recipient, only untampered, and binds the sender to the signer', async () => {
    const crypto = await createSodiumCrypto();
    const [alice, bob, eve] = [1, 2, 3].map((n) => createIdentity(crypto, { device, bundle: new SecretKey(new Uint8Array(64).fill(n)) }));
    const grants = [{ scope: `profile:${alice!.userId}`, token: 'a'.repeat(48), key: new Uint8Array(32).fill(5), epoch: 0 }];
    const bytes = sealIntro(crypto, alice!, { user: bob!.userId, boxKey: bob!.public.boxKey }, { grants, keyEnvelopes: [] }, 1);
    const opened = openIntro(crypto, bob!, bytes);
    expect(opened.ok && opened.value.from.userId === alice!.userId && opened.value.grants[0]?.token === 'a'.repeat(48)).toBe(true);
    expect(inboxDocId(crypto, bob!.userId)).toMatch(/^members:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const flipped = bytes.slice();
    flipped[flipped.length - 100]! ^= 1;
    const codes = [openIntro(crypto, eve!, bytes), openIntro(crypto, bob!, flipped), openIntro(crypto, bob!, bytes.subarray(0, 50))].map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).not.toContain('ok');
    console.log(`intro: wrong recipient / flipped bit / truncated refused as ${codes.join(', ')}`);
  });
});
