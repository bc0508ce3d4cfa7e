import type { Result } from '@kith/core';
import { fail, ok } from './result.js';
import {
  PRESENCE_STATES,
  RELAY_PROTOCOL_VERSION,
  SIGNAL_KINDS,
  type ClientFrame,
  type PresenceState,
  type SignalKind,
} from './frames.js';
import { asRecord, parseJsonSafe } from './safe-json.js';

/** Limits on a client frame; the relay passes its configured values. */
export interface ClientFrameLimits {
  readonly maxFrameChars: number;
  readonly maxRecipients: number;
  readonly maxSignalChars: number;
  readonly maxPullLimit: number;
}

export const DEFAULT_CLIENT_FRAME_LIMITS: ClientFrameLimits = {
  maxFrameChars: 24 * 1024 * 1024,
  maxRecipients: 256,
  maxSignalChars: 96 * 1024,
  maxPullLimit: 1000,
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

class Invalid extends Error {}

function num(o: Record<string, unknown>, key: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) throw new Invalid(`${key} must be an integer in [0, ${max}]`);
  return v;
}
function str(o: Record<string, unknown>, key: string, max: number, re?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > max || (re !== undefined && !re.test(v))) throw new Invalid(`${key} is not a valid string`);
  return v;
}
function oneOf<T extends string>(o: Record<string, unknown>, key: string, options: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new Invalid(`${key} is not one of the allowed values`);
  return v as T;
}

/**
 * Parses one untrusted WebSocket message into a typed client frame (RLY-2), or a coded error:
 * `too_large`, `malformed`, `unsupported_version`. Never throws. Binary messages are rejected.
 */
export function parseClientFrame(data: unknown, limits: ClientFrameLimits = DEFAULT_CLIENT_FRAME_LIMITS): Result<ClientFrame> {
  if (typeof data !== 'string') return fail('malformed', 'frames are JSON text');
  const parsed = parseJsonSafe(data, { maxChars: limits.maxFrameChars, maxDepth: 4 });
  if (!parsed.ok) return parsed;
  const o = asRecord(parsed.value);
  if (o === undefined) return fail('malformed', 'a frame is a JSON object');
  if (o['v'] !== RELAY_PROTOCOL_VERSION) return fail('unsupported_version', 'frame version must be 1');
  try {
    const id = num(o, 'id', 0x7fffffff);
    const t = o['t'];
    switch (t) {
      case 'auth':
        return ok({ v: 1, t, id, token: str(o, 'token', 128, /^[A-Za-z0-9_-]+$/) });
      case 'push': {
        const frame: { v: 1; t: 'push'; id: number; env: string; cap?: string; supersedes?: number } = {
          v: 1,
          t,
          id,
          env: str(o, 'env', limits.maxFrameChars, B64_RE),
        };
        if (o['cap'] !== undefined) frame.cap = str(o, 'cap', 128, /^[A-Za-z0-9_-]+$/);
        if (o['supersedes'] !== undefined) frame.supersedes = num(o, 'supersedes');
        return ok(frame);
      }
      case 'pull':
        return ok({
          v: 1,
          t,
          id,
          doc: str(o, 'doc', 200),
          cap: str(o, 'cap', 128, /^[A-Za-z0-9_-]+$/),
          after: num(o, 'after'),
          limit: Math.max(1, num(o, 'limit', limits.maxPullLimit)),
        });
      case 'sub':
        return ok({ v: 1, t, id, doc: str(o, 'doc', 200), cap: str(o, 'cap', 128, /^[A-Za-z0-9_-]+$/), after: num(o, 'after') });
      case 'unsub':
        return ok({ v: 1, t, id, doc: str(o, 'doc', 200) });
      case 'presence': {
        const state: PresenceState = oneOf(o, 'state', PRESENCE_STATES);
        const to = o['to'];
        if (!Array.isArray(to) || to.length > limits.maxRecipients) throw new Invalid('to must be a list of user ids');
        for (const u of to) if (typeof u !== 'string' || !UUID_RE.test(u)) throw new Invalid('to must be a list of user ids');
        return ok({ v: 1, t, id, state, to: to as string[] });
      }
      case 'signal': {
        const kind: SignalKind = oneOf(o, 'kind', SIGNAL_KINDS);
        const addr = asRecord(o['to']);
        if (addr === undefined) throw new Invalid('to must be an address');
        const user = str(addr, 'user', 36, UUID_RE);
        const device = addr['device'] === undefined ? undefined : str(addr, 'device', 36, UUID_RE);
        const body = str(o, 'body', limits.maxSignalChars, B64_RE);
        return ok({ v: 1, t, id, kind, to: device === undefined ? { user } : { user, device }, body });
      }
      case 'ping':
        return ok({ v: 1, t, id });
      default:
        return fail('malformed', 'unknown frame type');
    }
  } catch (error) {
    if (error instanceof Invalid) return fail('malformed', error.message);
    return fail('malformed', 'invalid frame');
  }
}
