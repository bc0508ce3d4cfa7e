import { describe, expect, it } from 'vitest';
import type { ClientFrame } from './frames.js';
import { CLIENT_FRAME_TYPES } from './frames.js';
import { parseClientFrame } from './parse-client-frame.js';
import { DEFAULT_CLIENT_FRAME_LIMITS } from './limits.js';

const U = '0190a1b2-0000-4000-8000-000000000001';
const D = '0190a1b2-0000-4000-8000-000000000002';
const ENV = 'AAECAwQ=';
const TOKEN = 'a1B2_c3-D4';

/** One frame of every kind, as the sync client (core/src/sync) and test clients build them. */
const CLIENT_SAMPLES: readonly ClientFrame[] = [
  { v: 1, t: 'auth', id: 1, token: TOKEN },
  { v: 1, t: 'push', id: 2, env: ENV },
  { v: 1, t: 'push', id: 2, env: ENV, cap: TOKEN, supersedes: 9 },
  { v: 1, t: 'pull', id: 3, doc: `profile:${U}`, cap: TOKEN, after: 0, limit: 100 },
  { v: 1, t: 'sub', id: 4, doc: `profile:${U}`, cap: TOKEN, after: 12 },
  { v: 1, t: 'unsub', id: 5, doc: `profile:${U}` },
  { v: 1, t: 'presence', id: 6, state: 'busy', to: [U, D] },
  { v: 1, t: 'signal', id: 7, kind: 'typing', to: { user: U }, body: ENV },
  { v: 1, t: 'signal', id: 7, kind: 'ice', to: { user: U, device: D }, body: ENV },
  { v: 1, t: 'ping', id: 8 },
];

const parse = (frame: unknown): string => {
  const r = parseClientFrame(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return r.ok ? 'ok' : r.error.code;
};

const jsonType = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' && !(Number.isInteger(v) && v >= 0) ? 'bad number' : typeof v;
const WRONG: readonly unknown[] = [null, true, -1, 1.5, 'x y', [], {}];

describe('client frames (RLY-2: the relay parses every client frame into a typed frame or a coded error)', () => {
  it('accepts one frame of every kind, field for field', () => {
    expect(new Set(CLIENT_SAMPLES.map((f) => f.t))).toEqual(new Set(CLIENT_FRAME_TYPES));
    for (const f of CLIENT_SAMPLES) {
      const r = parseClientFrame(JSON.stringify(f));
      expect(r.ok && r.value).toEqual(f);
    }
  });

  it('refuses a frame missing any required field, and any field of a wrong type or range', () => {
    let refused = 0;
    for (const f of CLIENT_SAMPLES) {
      for (const key of Object.keys(f)) {
        if (key === 'v') continue;
        const optional = f.t === 'push' && (key === 'cap' || key === 'supersedes');
        const { [key]: _gone, ...rest } = f as unknown as Record<string, unknown>;
        expect(parse(rest), `${f.t} without ${key}`).toBe(optional ? 'ok' : 'malformed');
        for (const bad of WRONG) {
          if (jsonType(bad) === jsonType((f as unknown as Record<string, unknown>)[key]) && key !== 'token' && key !== 'cap' && key !== 'env' && key !== 'body') continue;
          expect(parse({ ...f, [key]: bad }), `${f.t}.${key} = ${JSON.stringify(bad)}`).toBe('malformed');
          refused++;
        }
      }
    }
    console.log(`client frames: ${refused} mistyped variants refused`);
    expect(refused).toBeGreaterThan(150);
  });

  it('enforces the configured limits (RLY-11 pull limit, RLY-20 recipients, RLY-21 signal size)', () => {
    const l = DEFAULT_CLIENT_FRAME_LIMITS;
    const bad: unknown[] = [
      { v: 1, t: 'pull', id: 1, doc: 'd', cap: TOKEN, after: 0, limit: l.maxPullLimit + 1 },
      { v: 1, t: 'presence', id: 1, state: 'online', to: Array.from({ length: l.maxRecipients + 1 }, () => U) },
      { v: 1, t: 'presence', id: 1, state: 'online', to: ['alice'] },
      { v: 1, t: 'signal', id: 1, kind: 'typing', to: { user: U }, body: 'A'.repeat(l.maxSignalChars + 4) },
      { v: 1, t: 'signal', id: 1, kind: 'poke', to: { user: U }, body: ENV },
      { v: 1, t: 'signal', id: 1, kind: 'typing', to: { user: U, device: 'phone' }, body: ENV },
      { v: 1, t: 'sub', id: 1, doc: 'd'.repeat(201), cap: TOKEN, after: 0 },
      { v: 1, t: 'auth', id: 1, token: 't'.repeat(129) },
      { v: 1, t: 'ping', id: 0x80000000 },
    ];
    expect(bad.map(parse)).toEqual(bad.map(() => 'malformed'));
    // A pull limit of 0 means "at least one" (unchanged relay behaviour).
    const zero = parseClientFrame(JSON.stringify({ v: 1, t: 'pull', id: 1, doc: 'd', cap: TOKEN, after: 0, limit: 0 }));
    expect(zero.ok && zero.value).toMatchObject({ limit: 1 });
  });

  it('refuses unknown kinds, other versions, binary, oversize, deep, trailing junk and prototype keys', () => {
    const cases: Array<[unknown, string]> = [
      ['{"v":1,"t":"nope","id":1}', 'malformed'],
      ['{"v":1,"t":"hello","id":1}', 'malformed'],
      ['{"v":2,"t":"ping","id":1}', 'unsupported_version'],
      ['[]', 'malformed'],
      ['{"v":1,"t":"ping","id":1} x', 'malformed'],
      ['{"v":1,"t":"ping","id":1,"__proto__":{}}', 'malformed'],
      ['{"v":1,"t":"ping","id":1,"prototype":1}', 'malformed'],
      ['{"v":1,"t":"ping","id":1,"x":[[[[1]]]]}', 'malformed'],
      [new Uint8Array([123, 125]), 'malformed'],
    ];
    for (const [input, code] of cases) {
      const r = parseClientFrame(input);
      expect(r.ok ? 'ok' : r.error.code, String(input)).toBe(code);
    }
    const r = parseClientFrame(JSON.stringify({ v: 1, t: 'ping', id: 1 }), { ...DEFAULT_CLIENT_FRAME_LIMITS, maxFrameChars: 10 });
    expect(r.ok ? 'ok' : r.error.code).toBe('too_large');
    const extra = parseClientFrame(JSON.stringify({ v: 1, t: 'ping', id: 1, admin: true }));
    expect(extra.ok && extra.value).toEqual({ v: 1, t: 'ping', id: 1 });
  });
});
