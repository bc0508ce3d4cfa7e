import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../errors.js';
import type { SecretVault } from '../ports/vault.js';
import { createSeededRandom } from './seeded-random.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Whether `haystack` contains any `run`-byte window of `needle`. */
export function containsRun(haystack: Uint8Array, needle: Uint8Array, run = 8): boolean {
  if (needle.length < run) return false;
  for (let s = 0; s + run <= needle.length; s++) {
    outer: for (let i = 0; i + run <= haystack.length; i++) {
      for (let j = 0; j < run; j++) if (haystack[i + j] !== needle[s + j]) continue outer;
      return true;
    }
  }
  return false;
}

/**
 * The contract of the SecretVault port (VLT-1..5, core/src/ports/vault.ts), for every
 * implementation. `make` must return a vault with its OWN key on each call (a fresh key store).
 * Prints one summary line with the tamper cases checked.
 */
export function runVaultConformance(name: string, make: () => Promise<SecretVault>): void {
  describe(`SecretVault conformance: ${name}`, () => {
    const random = createSeededRandom(`vault-conformance:${name}`);
    const aad = utf8('kith/v1/local/test-entry');

    it('VLT-1 round trips every size and aad, returning fresh copies', async () => {
      const vault = await make();
      for (const n of [0, 1, 16, 32, 64, 1000, 5000]) {
        for (const a of [new Uint8Array(0), aad]) {
          const plain = random.bytes(n);
          const keep = plain.slice();
          const wrapped = await vault.wrap(plain, a);
          plain.fill(0xaa); // the vault must not have retained the caller's array
          const back = await vault.unwrap(wrapped, a);
          expect(back.ok).toBe(true);
          if (back.ok) expect(back.value).toEqual(keep);
        }
      }
    });

    it('VLT-2 wrapping twice gives different bytes', async () => {
      const vault = await make();
      const plain = random.bytes(32);
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) seen.add(Array.from(await vault.wrap(plain, aad)).join(','));
      expect(seen.size).toBe(20);
    });

    it('VLT-3 the output holds no 8-byte run of the plaintext', async () => {
      const vault = await make();
      let checked = 0;
      for (let i = 0; i < 50; i++) {
        const plain = random.bytes(64);
        expect(containsRun(await vault.wrap(plain, aad), plain)).toBe(false);
        checked++;
      }
      expect(checked).toBe(50);
    });

    it('VLT-4 wrong aad, tampering, truncation, another key and junk give typed errors, never throws', async () => {
      const vault = await make();
      const other = await make();
      const plain = random.bytes(32);
      const wrapped = await vault.wrap(plain, aad);
      const codes = new Map<ErrorCode, number>();
      const expectFail = async (bytes: Uint8Array, a: Uint8Array, want: readonly ErrorCode[]): Promise<void> => {
        const r = await vault.unwrap(bytes, a);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(want).toContain(r.error.code);
        expect(r.error.message).not.toContain(Array.from(plain).join(','));
        codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
      };
      await expectFail(wrapped, utf8('kith/v1/local/another-entry'), ['decrypt_failed']);
      await expectFail(wrapped, new Uint8Array(0), ['decrypt_failed']);
      for (let i = 0; i < wrapped.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const t = wrapped.slice();
          t[i] = t[i]! ^ bit;
          await expectFail(t, aad, i === 0 ? ['unsupported_version'] : ['decrypt_failed']);
        }
      }
      for (let cut = 1; cut < wrapped.length; cut++) await expectFail(wrapped.slice(0, wrapped.length - cut), aad, ['decrypt_failed', 'malformed']);
      await expectFail(new Uint8Array(0), aad, ['malformed']);
      await expectFail(Uint8Array.of(...wrapped, 0), aad, ['decrypt_failed']);
      const foreign = await other.wrap(plain, aad);
      await expectFail(foreign, aad, ['decrypt_failed']);
      for (let i = 0; i < 200; i++) await expectFail(random.bytes(random.int(120)), aad, ['decrypt_failed', 'malformed', 'unsupported_version']);
      const total = [...codes.values()].reduce((a, b) => a + b, 0);
      console.log(`vault ${name}: ${total} bad inputs refused, 0 accepted (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})`);
      expect(codes.get('decrypt_failed') ?? 0).toBeGreaterThan(wrapped.length);
    });

    it('VLT-5 the vault exposes no key material', async () => {
      const vault = await make();
      const names = Object.keys(vault).sort();
      expect(names).toEqual(['name', 'unwrap', 'wrap']);
      expect(JSON.stringify(vault)).toBe(`{"name":"${vault.name}"}`);
    });
  });
}
