import { KithError, fail, ok, type Result } from '../errors.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { MAX_BODY_BYTES } from './envelope.js';

/**
 * The plaintext of a version 2 envelope (BATCH-1): the payloads of its range's changes, in
 * counter order, as `u32 count` then one `bytes32` per change. Encrypted and signed as a whole,
 * so a list is never trusted before the envelope's AEAD opened.
 */
export function encodeChangeList(payloads: readonly Uint8Array[]): Uint8Array {
  if (payloads.length === 0) throw new KithError('invalid_argument', 'a change list is not empty');
  let size = 4;
  for (const p of payloads) size += 4 + p.length;
  if (size > MAX_BODY_BYTES) throw new KithError('too_large', 'change list too large');
  const w = new ByteWriter(size).u32(payloads.length);
  for (const p of payloads) w.bytes32(p);
  return w.finish();
}

/**
 * Parses a decrypted change list; never throws. BATCH-3: the count must equal the header's
 * range (`expected` = to − from + 1) and the list must end exactly after its last payload.
 */
export function decodeChangeList(bytes: Uint8Array, expected: number): Result<Uint8Array[]> {
  try {
    const r = new ByteReader(bytes);
    const count = r.u32('change count');
    if (count !== expected) return fail('malformed', `change list holds ${count} changes, the range ${expected}`);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) out.push(r.bytes32(MAX_BODY_BYTES, 'change').slice());
    r.expectEnd('change list');
    return ok(out);
  } catch (error) {
    if (error instanceof KithError) return { ok: false, error };
    return fail('malformed', 'change list could not be decoded', error);
  }
}
