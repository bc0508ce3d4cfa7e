import { fail, ok, type Result } from '../errors.js';
import { toHex } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import { utf8 } from './secret-key.js';

/**
 * A known answer for Argon2id v1.3 (t = 2, m = 64 KiB, p = 1, 32-byte output), cross-checked
 * against @noble/hashes' independent implementation. Cheap enough (< 5 ms) to run at startup.
 */
export const ARGON2ID_KAT = {
  password: 'password',
  salt: 'somesaltsomesalt',
  opsLimit: 2,
  memLimitBytes: 64 * 1024,
  output: '1a98fba8e6394425c9bdc333a9c750aaf811df070f5fb4a5788e1cf4db5793a1',
} as const;

/**
 * BAK-5: run before deriving any backup key. A platform whose Argon2id silently returns wrong
 * output (a broken wasm build, a bad polyfill) would otherwise encrypt the backup under a key
 * the user can never re-derive elsewhere. Fails with `self_check_failed`; callers then refuse to
 * create or open backups on this platform.
 */
export async function selfCheckArgon2id(crypto: CryptoPort): Promise<Result<void>> {
  try {
    const out = await crypto.argon2id(utf8(ARGON2ID_KAT.password), utf8(ARGON2ID_KAT.salt), ARGON2ID_KAT.opsLimit, ARGON2ID_KAT.memLimitBytes, 32);
    if (toHex(out) !== ARGON2ID_KAT.output) return fail('self_check_failed', 'Argon2id returned a wrong known answer on this platform');
    return ok(undefined);
  } catch (error) {
    return fail('self_check_failed', 'Argon2id is not available on this platform', error);
  }
}
