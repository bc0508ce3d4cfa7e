import { describe, expect, it } from 'vitest';
import { createSodiumCrypto } from '../crypto/sodium/sodium-crypto.js';
import { createKeyring } from '../crypto/keyring.js';
import { SecretKey } from '../crypto/secret-key.js';
import type { ConversationId } from '../ids.js';
import { decryptAttachment, encryptAttachment, openAttachment, sealAttachment } from './attachments.js';

const conv = '0190a4c8-0000-7000-8000-000000000001' as ConversationId;

describe('attachments (SYNC-8)', () => {
  it('round-trips across chunk boundaries and refuses every tampering', async () => {
    const crypto = await createSodiumCrypto();
    const keyring = createKeyring(crypto);
    keyring.addEpochKey({ scope: conv, epoch: 2, removals: 0, createdAt: 0, createdBy: null, recipients: [] }, new SecretKey(new Uint8Array(32).fill(9)));
    const sizes = [0, 1, 65_536, 65_537, 200_000];
    for (const n of sizes) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31) % 251);
      const sealed = sealAttachment(crypto, keyring, conv, { bytes, mime: 'application/octet-stream', name: 'f.bin' });
      if (!sealed.ok) throw sealed.error;
      expect(sealed.value.attachment.keySlot).toBe(2);
      const opened = openAttachment(crypto, keyring, conv, sealed.value.attachment, sealed.value.blob);
      expect(opened.ok && opened.value.length === n).toBe(true);
    }
    const key = new Uint8Array(32).fill(3);
    const blob = encryptAttachment(crypto, key, new Uint8Array(3000).fill(1), 1024);
    const flipped = blob.slice();
    flipped[40]! ^= 1;
    const truncated = blob.subarray(0, 24 + 1024 + 16);
    const refused = [flipped, truncated, blob.subarray(0, 10)].map((b) => decryptAttachment(crypto, key, b));
    expect(refused.every((r) => !r.ok)).toBe(true);
    expect(decryptAttachment(crypto, new Uint8Array(32), blob).ok).toBe(false);
    const other = createKeyring(crypto);
    const s = sealAttachment(crypto, keyring, conv, { bytes: new Uint8Array(10), mime: 'text/plain', name: 'a' });
    if (!s.ok) throw s.error;
    expect(openAttachment(crypto, other, conv, s.value.attachment, s.value.blob).ok).toBe(false);
    console.log(`attachments: ${sizes.length} sizes round-trip; ${refused.length + 2} tampered/wrong-key blobs refused`);
  });
});
