import type { Result } from '@kith/core';
import { fail, ok } from './result.js';
import { RELAY_PROTOCOL_VERSION, type ServerFrame, type ServerFrameType } from './frames.js';
import { asRecord, parseJsonSafe } from './safe-json.js';

const SERVER_TYPES: readonly ServerFrameType[] = ['hello', 'authed', 'ack', 'entries', 'entry', 'ok', 'presence', 'signal', 'pong', 'error'];

/**
 * Client side: parses a relay frame. The relay is untrusted for integrity, so this checks the
 * envelope (version, known tag, object shape) and the caller still verifies every envelope's
 * signature. Fields are not deep-validated here beyond their tag.
 */
export function parseServerFrame(data: unknown, maxChars = 64 * 1024 * 1024): Result<ServerFrame> {
  if (typeof data !== 'string') return fail('malformed', 'frames are JSON text');
  const parsed = parseJsonSafe(data, { maxChars, maxDepth: 5 });
  if (!parsed.ok) return parsed;
  const o = asRecord(parsed.value);
  if (o === undefined) return fail('malformed', 'a frame is a JSON object');
  if (o['v'] !== RELAY_PROTOCOL_VERSION) return fail('unsupported_version', 'frame version must be 1');
  if (typeof o['t'] !== 'string' || !(SERVER_TYPES as readonly string[]).includes(o['t'])) return fail('malformed', 'unknown frame type');
  return ok(o as unknown as ServerFrame);
}
