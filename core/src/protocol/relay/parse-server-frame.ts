import { ERROR_CODES, fail, ok, type Result } from '../../errors.js';
import { BINARY_FRAMES } from './binary-frames.js';
import { PRESENCE_STATES, SIGNAL_KINDS, type Sender, type ServerFrame, type WireEntry } from './frames.js';
import { InvalidField, parseFrameWith, UUID_RE, asFields, b64, bool, int, oneOf, str } from './fields.js';
import { DEFAULT_SERVER_FRAME_LIMITS, MAX_DOC_CHARS, MAX_ERROR_MESSAGE_CHARS, MAX_FRAME_ID, type ServerFrameLimits } from './limits.js';

type Fields = Record<string, unknown>;

const sender = (o: Fields): Sender => {
  const from = asFields(o['from'], 'from must be a sender');
  return { user: str(from, 'user', 36, UUID_RE), device: str(from, 'device', 36, UUID_RE) };
};

function entries(o: Fields, maxEnv: number): WireEntry[] {
  const list = o['entries'];
  if (!Array.isArray(list)) throw new InvalidField('entries must be a list');
  return list.map((e: unknown) => {
    const r = asFields(e, 'an entry is an object');
    return { seq: int(r, 'seq'), env: b64(r, 'env', maxEnv) };
  });
}

/**
 * Client side: parses one relay frame strictly (RLY-2b). The relay is untrusted for integrity,
 * so every field of every frame is checked (types, ranges, UUIDs, base64 alphabet, enum members)
 * and the frame is rebuilt from those fields only; an unknown `t`, a missing or mistyped field,
 * a forbidden key or an oversize text is a coded error (`malformed`, `unsupported_version`,
 * `too_large`), never a throw. The caller still verifies every envelope's signature.
 */
export function parseServerFrame(data: unknown, limits: ServerFrameLimits = DEFAULT_SERVER_FRAME_LIMITS): Result<ServerFrame> {
  return parseFrameWith(data, limits.maxFrameChars, (o) => {
    const id = (): number => int(o, 'id', MAX_FRAME_ID);
    const doc = (): string => str(o, 'doc', MAX_DOC_CHARS);
    const t = o['t'];
    switch (t) {
      case 'hello':
        return ok({ v: 1, t, authDeadlineMs: int(o, 'authDeadlineMs'), maxFrameBytes: int(o, 'maxFrameBytes') });
      case 'authed':
        return ok({
          v: 1,
          t,
          id: id(),
          user: str(o, 'user', 36, UUID_RE),
          device: str(o, 'device', 36, UUID_RE),
          expiresAt: int(o, 'expiresAt'),
          ...(o['frames'] === BINARY_FRAMES ? { frames: BINARY_FRAMES } : {}),
        });
      case 'ack':
        return ok({ v: 1, t, id: id(), doc: doc(), seq: int(o, 'seq'), duplicate: bool(o, 'duplicate') });
      case 'entries':
        return ok({ v: 1, t, id: id(), doc: doc(), entries: entries(o, limits.maxFrameChars), next: int(o, 'next'), more: bool(o, 'more') });
      case 'entry':
        return ok({ v: 1, t, doc: doc(), seq: int(o, 'seq'), env: b64(o, 'env', limits.maxFrameChars) });
      case 'ok':
      case 'pong':
        return ok({ v: 1, t, id: id() });
      case 'presence':
        return ok({ v: 1, t, from: sender(o), state: oneOf(o, 'state', PRESENCE_STATES) });
      case 'signal':
        return ok({ v: 1, t, from: sender(o), kind: oneOf(o, 'kind', SIGNAL_KINDS), body: b64(o, 'body', limits.maxSignalChars) });
      case 'error': {
        const code = oneOf(o, 'code', ERROR_CODES);
        const message = str(o, 'message', MAX_ERROR_MESSAGE_CHARS);
        return ok(o['id'] === undefined ? { v: 1, t, code, message } : { v: 1, t, id: id(), code, message });
      }
      default:
        return fail('malformed', 'unknown frame type');
    }
  });
}
