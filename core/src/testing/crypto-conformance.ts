import { describe, expect, it } from 'vitest';
import type { CryptoPort } from '../ports/crypto.js';
import { ARGON2ID_KAT } from '../crypto/argon2-self-check.js';

import { decodeHex, encodeHex as toHex } from '../protocol/hex.js';
import { utf8 } from '../crypto/secret-key.js';

const fromHex = (h: string): Uint8Array => {
  const b = decodeHex(h);
  if (b === undefined) throw new Error(`test vector is not lowercase hex: ${h}`);
  return b;
};

/** RFC 8032 § 7.1 test 1 (empty message). */
const ED25519 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
/** draft-irtf-cfrg-xchacha-03 § A.3.1. */
const XCHACHA = {
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '404142434445464748494a4b4c4d4e4f5051525354555657',
  ad: '50515253c0c1c2c3c4c5c6c7',
  plaintext:
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ciphertext:
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52ec0875924c1c7987947deafd8780acf49',
};
/** BLAKE2b-512("abc"), RFC 7693 appendix A. */
const BLAKE2B_ABC =
  'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923';

/**
 * The contract of the crypto port (ports/crypto.ts): known-answer tests for every primitive and
 * the failure behaviour (`verify` false, `open*`/`aeadDecrypt` null, never a throw).
 */
export function runCryptoConformance(name: string, create: () => Promise<CryptoPort>): void {
  describe(`crypto port conformance: ${name}`, () => {
    it('Ed25519 matches RFC 8032 and rejects any flipped bit', async () => {
      const c = await create();
      const kp = c.signKeyPair(fromHex(ED25519.seed));
      expect(toHex(kp.publicKey)).toBe(ED25519.publicKey);
      const sig = c.sign(new Uint8Array(0), kp.secretKey);
      expect(toHex(sig)).toBe(ED25519.signature);
      expect(c.verify(sig, new Uint8Array(0), kp.publicKey)).toBe(true);
      let accepted = 0;
      for (let bit = 0; bit < 512; bit += 7) {
        const bad = sig.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        if (c.verify(bad, new Uint8Array(0), kp.publicKey)) accepted++;
      }
      expect(accepted).toBe(0);
      expect(c.verify(sig.subarray(0, 63), new Uint8Array(0), kp.publicKey)).toBe(false);
      expect(c.verify(sig, new Uint8Array(1), kp.publicKey)).toBe(false);
      expect(c.verify(sig, new Uint8Array(0), new Uint8Array(31))).toBe(false);
    });

    it('XChaCha20-Poly1305 matches draft-irtf-cfrg-xchacha and fails closed', async () => {
      const c = await create();
      const [key, nonce, ad] = [fromHex(XCHACHA.key), fromHex(XCHACHA.nonce), fromHex(XCHACHA.ad)];
      const ct = c.aeadEncrypt(utf8(XCHACHA.plaintext), ad, nonce, key);
      expect(toHex(ct)).toBe(XCHACHA.ciphertext);
      expect(new TextDecoder().decode(c.aeadDecrypt(ct, ad, nonce, key)!)).toBe(XCHACHA.plaintext);
      const flipped = ct.slice();
      flipped[5]! ^= 1;
      expect(c.aeadDecrypt(flipped, ad, nonce, key)).toBeNull();
      expect(c.aeadDecrypt(ct, new Uint8Array(0), nonce, key)).toBeNull();
      expect(c.aeadDecrypt(ct.subarray(0, 10), ad, nonce, key)).toBeNull();
      expect(c.aeadDecrypt(ct, ad, nonce.subarray(1), key)).toBeNull();
    });

    it('BLAKE2b matches RFC 7693; keyed hashes differ by key', async () => {
      const c = await create();
      expect(toHex(c.hash(utf8('abc'), 64))).toBe(BLAKE2B_ABC);
      expect(c.hash(utf8('abc')).length).toBe(32);
      const k1 = c.hash(utf8('abc'), 32, new Uint8Array(32).fill(1));
      const k2 = c.hash(utf8('abc'), 32, new Uint8Array(32).fill(2));
      expect(toHex(k1)).not.toBe(toHex(k2));
    });

    it('sealed boxes open only with the recipient key', async () => {
      const c = await create();
      const a = c.boxKeyPair(new Uint8Array(32).fill(3));
      const again = c.boxKeyPair(new Uint8Array(32).fill(3));
      expect(toHex(a.publicKey)).toBe(toHex(again.publicKey));
      const b = c.boxKeyPair();
      const sealed = c.sealBox(utf8('hello'), a.publicKey);
      expect(sealed.length).toBe(5 + 48);
      expect(new TextDecoder().decode(c.openSealedBox(sealed, a.publicKey, a.secretKey)!)).toBe('hello');
      expect(c.openSealedBox(sealed, b.publicKey, b.secretKey)).toBeNull();
      const bad = sealed.slice();
      bad[bad.length - 1]! ^= 1;
      expect(c.openSealedBox(bad, a.publicKey, a.secretKey)).toBeNull();
      expect(c.openSealedBox(sealed.subarray(0, 20), a.publicKey, a.secretKey)).toBeNull();
    });

    it('Argon2id matches its known answer (also the startup self-check)', async () => {
      const c = await create();
      const out = await c.argon2id(utf8(ARGON2ID_KAT.password), utf8(ARGON2ID_KAT.salt), ARGON2ID_KAT.opsLimit, ARGON2ID_KAT.memLimitBytes, 32);
      expect(toHex(out)).toBe(ARGON2ID_KAT.output);
    });

    it('randomBytes returns fresh bytes of the asked length', async () => {
      const c = await create();
      const a = c.randomBytes(24);
      const b = c.randomBytes(24);
      expect(a.length).toBe(24);
      expect(toHex(a)).not.toBe(toHex(b));
      expect(c.randomBytes(100_000).length).toBe(100_000);
    });
  });
}
