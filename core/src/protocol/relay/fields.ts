import { fail, type Result } from '../../errors.js';
import { BASE64_RE } from '../base64.js';
import { parseJsonSafe } from '../safe-json.js';
import { RELAY_PROTOCOL_VERSION } from './frames.js';

/**
 * Field readers shared by the two frame parsers. Each throws `InvalidField` (caught by the
 * parser and turned into a `malformed` result), so a parser reads as a list of fields.
 */
export class InvalidField extends Error {}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const TOKEN_RE = /^[A-Za-z0-9_-]+$/;

type Fields = Record<string, unknown>;

/** A JSON object (not an array or null) as a record; else throws with `message`. */
export function asFields(value: unknown, message: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidField(message);
  return value as Fields;
}

/**
 * What both frame parsers do around their fields: text only, safe JSON within `maxChars`, an
 * object of version 1, then `read`; an `InvalidField` (or any throw) from `read` is `malformed`.
 */
export function parseFrameWith<T>(data: unknown, maxChars: number, read: (o: Fields) => Result<T>): Result<T> {
  if (typeof data !== 'string') return fail('malformed', 'frames are JSON text');
  const parsed = parseJsonSafe(data, { maxChars, maxDepth: 4 });
  if (!parsed.ok) return parsed;
  try {
    const o = asFields(parsed.value, 'a frame is a JSON object');
    if (o['v'] !== RELAY_PROTOCOL_VERSION) return fail('unsupported_version', 'frame version must be 1');
    return read(o);
  } catch (error) {
    return fail('malformed', error instanceof InvalidField ? error.message : 'invalid frame');
  }
}

/** A safe integer in [0, max]. */
export function int(o: Fields, key: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) throw new InvalidField(`${key} must be an integer in [0, ${max}]`);
  return v;
}

export function str(o: Fields, key: string, max: number, re?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > max || (re !== undefined && !re.test(v))) throw new InvalidField(`${key} is not a valid string`);
  return v;
}

/** A base64 text, checked for its alphabet only: the caller decodes it strictly (decodeBase64). */
export function b64(o: Fields, key: string, max: number): string {
  return str(o, key, max, BASE64_RE);
}

export function bool(o: Fields, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new InvalidField(`${key} must be a boolean`);
  return v;
}

export function oneOf<T extends string>(o: Fields, key: string, options: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new InvalidField(`${key} is not one of the allowed values`);
  return v as T;
}
