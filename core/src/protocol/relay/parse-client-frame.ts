import { fail, ok, type Result } from '../../errors.js';
import { BINARY_FRAMES } from './binary-frames.js';
import { PRESENCE_STATES, SIGNAL_KINDS, type ClientFrame } from './frames.js';
import { InvalidField, parseFrameWith, TOKEN_RE, UUID_RE, asFields, b64, int, oneOf, str } from './fields.js';
import { DEFAULT_CLIENT_FRAME_LIMITS, MAX_FRAME_ID, MAX_DOC_CHARS, MAX_TOKEN_CHARS, type ClientFrameLimits } from './limits.js';

/**
 * Relay side: parses one untrusted WebSocket message into a typed client frame (RLY-2), or a
 * coded error: `too_large`, `malformed`, `unsupported_version`. Never throws. Binary messages are
 * rejected here (a connection that negotiated them decodes them with `decodeBinaryClientFrame`). The frame is rebuilt from the fields it defines: unknown fields are not copied.
 */
export function parseClientFrame(data: unknown, limits: ClientFrameLimits = DEFAULT_CLIENT_FRAME_LIMITS): Result<ClientFrame> {
  return parseFrameWith(data, limits.maxFrameChars, (o) => {
    const id = int(o, 'id', MAX_FRAME_ID);
    const doc = (): string => str(o, 'doc', MAX_DOC_CHARS);
    const cap = (): string => str(o, 'cap', MAX_TOKEN_CHARS, TOKEN_RE);
    const t = o['t'];
    switch (t) {
      case 'auth':
        // RLY-39: only the format this side knows is taken; another value asks for nothing.
        return ok({ v: 1, t, id, token: str(o, 'token', MAX_TOKEN_CHARS, TOKEN_RE), ...(o['frames'] === BINARY_FRAMES ? { frames: BINARY_FRAMES } : {}) });
      case 'push': {
        const frame: { v: 1; t: 'push'; id: number; env: string; cap?: string; supersedes?: number } = { v: 1, t, id, env: b64(o, 'env', limits.maxFrameChars) };
        if (o['cap'] !== undefined) frame.cap = cap();
        if (o['supersedes'] !== undefined) frame.supersedes = int(o, 'supersedes');
        return ok(frame);
      }
      case 'pull':
        return ok({ v: 1, t, id, doc: doc(), cap: cap(), after: int(o, 'after'), limit: Math.max(1, int(o, 'limit', limits.maxPullLimit)) });
      case 'sub':
        return ok({ v: 1, t, id, doc: doc(), cap: cap(), after: int(o, 'after') });
      case 'unsub':
        return ok({ v: 1, t, id, doc: doc() });
      case 'presence': {
        const state = oneOf(o, 'state', PRESENCE_STATES);
        const to = o['to'];
        if (!Array.isArray(to) || to.length > limits.maxRecipients) throw new InvalidField('to must be a list of user ids');
        for (const u of to) if (typeof u !== 'string' || !UUID_RE.test(u)) throw new InvalidField('to must be a list of user ids');
        return ok({ v: 1, t, id, state, to: to as string[] });
      }
      case 'signal': {
        const kind = oneOf(o, 'kind', SIGNAL_KINDS);
        const addr = asFields(o['to'], 'to must be an address');
        const user = str(addr, 'user', 36, UUID_RE);
        const device = addr['device'] === undefined ? undefined : str(addr, 'device', 36, UUID_RE);
        const body = b64(o, 'body', limits.maxSignalChars);
        return ok({ v: 1, t, id, kind, to: device === undefined ? { user } : { user, device }, body });
      }
      case 'ping':
        return ok({ v: 1, t, id });
      default:
        return fail('malformed', 'unknown frame type');
    }
  });
}
