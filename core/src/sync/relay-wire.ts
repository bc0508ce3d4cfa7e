import { fail, ok, type Result } from '../errors.js';

/**
 * The client side of the relay's WebSocket frames (docs/PROTOCOL.md § Relay API, protocol
 * version 1). The relay package owns the canonical definitions (relay/src/protocol/frames.ts);
 * core cannot import it (the relay depends on core), so the client keeps this minimal copy,
 * validated field by field because the relay is untrusted for integrity.
 */
export type PresenceState = 'online' | 'away' | 'busy' | 'offline';
export type SignalKind = 'typing' | 'offer' | 'answer' | 'ice' | 'ring' | 'accept' | 'decline' | 'hangup';
export const SIGNAL_KINDS: readonly SignalKind[] = ['typing', 'offer', 'answer', 'ice', 'ring', 'accept', 'decline', 'hangup'];

export type ClientFrame =
  | { v: 1; t: 'auth'; id: number; token: string }
  | { v: 1; t: 'push'; id: number; env: string; cap?: string }
  | { v: 1; t: 'sub'; id: number; doc: string; cap: string; after: number }
  | { v: 1; t: 'unsub'; id: number; doc: string }
  | { v: 1; t: 'presence'; id: number; state: PresenceState; to: string[] }
  | { v: 1; t: 'signal'; id: number; kind: SignalKind; to: { user: string; device?: string }; body: string }
  | { v: 1; t: 'ping'; id: number };

export interface WireEntry {
  readonly seq: number;
  readonly env: string;
}

export type ServerFrame =
  | { t: 'hello' }
  | { t: 'authed'; id: number }
  | { t: 'ack'; id: number; doc: string; seq: number; duplicate: boolean }
  | { t: 'entries'; id: number; doc: string; entries: WireEntry[]; next: number; more: boolean }
  | { t: 'entry'; doc: string; seq: number; env: string }
  | { t: 'ok'; id: number }
  | { t: 'presence'; from: { user: string; device: string }; state: PresenceState }
  | { t: 'signal'; from: { user: string; device: string }; kind: SignalKind; body: string }
  | { t: 'pong'; id: number }
  | { t: 'error'; id?: number; code: string; message: string };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown, max = 64 * 1024 * 1024): v is string => typeof v === 'string' && v.length <= max;
const PRESENCE: readonly string[] = ['online', 'away', 'busy', 'offline'];

function parseSender(v: unknown): { user: string; device: string } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  return isStr(o['user'], 64) && isStr(o['device'], 64) ? { user: o['user'], device: o['device'] } : undefined;
}

/** Parses one relay frame; anything unexpected is `malformed` (counted and dropped by the caller). */
export function parseRelayFrame(text: string, maxChars = 64 * 1024 * 1024): Result<ServerFrame> {
  if (text.length > maxChars) return fail('too_large', 'relay frame too large');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail('malformed', 'relay frame is not JSON', e);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('malformed', 'relay frame is not an object');
  const o = raw as Record<string, unknown>;
  if (o['v'] !== 1) return fail('unsupported_version', 'relay frame version');
  // Built only when a frame is refused (an error captures a stack: not for every good frame).
  const refuse = (): Result<ServerFrame> => fail('malformed', `bad ${String(o['t'])} frame`);
  switch (o['t']) {
    case 'hello':
      return ok({ t: 'hello' });
    case 'authed':
    case 'ok':
    case 'pong':
      return isInt(o['id']) ? ok({ t: o['t'], id: o['id'] }) : refuse();
    case 'ack':
      return isInt(o['id']) && isStr(o['doc'], 300) && isInt(o['seq']) && typeof o['duplicate'] === 'boolean'
        ? ok({ t: 'ack', id: o['id'], doc: o['doc'], seq: o['seq'], duplicate: o['duplicate'] })
        : refuse();
    case 'entries': {
      const list = o['entries'];
      if (!isInt(o['id']) || !isStr(o['doc'], 300) || !isInt(o['next']) || typeof o['more'] !== 'boolean' || !Array.isArray(list)) return refuse();
      const entries: WireEntry[] = [];
      for (const e of list as unknown[]) {
        const r = e as Record<string, unknown> | null;
        if (r === null || typeof r !== 'object' || !isInt(r['seq']) || !isStr(r['env'])) return refuse();
        entries.push({ seq: r['seq'], env: r['env'] });
      }
      return ok({ t: 'entries', id: o['id'], doc: o['doc'], entries, next: o['next'], more: o['more'] });
    }
    case 'entry':
      return isStr(o['doc'], 300) && isInt(o['seq']) && isStr(o['env']) ? ok({ t: 'entry', doc: o['doc'], seq: o['seq'], env: o['env'] }) : refuse();
    case 'presence': {
      const from = parseSender(o['from']);
      const state = o['state'];
      return from !== undefined && typeof state === 'string' && PRESENCE.includes(state) ? ok({ t: 'presence', from, state: state as PresenceState }) : refuse();
    }
    case 'signal': {
      const from = parseSender(o['from']);
      const kind = o['kind'];
      return from !== undefined && typeof kind === 'string' && (SIGNAL_KINDS as readonly string[]).includes(kind) && isStr(o['body'], 1024 * 1024)
        ? ok({ t: 'signal', from, kind: kind as SignalKind, body: o['body'] })
        : refuse();
    }
    case 'error': {
      if (!isStr(o['code'], 64) || !isStr(o['message'], 4096)) return refuse();
      const id = o['id'];
      return ok(isInt(id) ? { t: 'error', id, code: o['code'], message: o['message'] } : { t: 'error', code: o['code'], message: o['message'] });
    }
    default:
      return refuse();
  }
}
