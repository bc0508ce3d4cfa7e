import { describe, expect, it } from 'vitest';
import type { ServerFrame } from './frames.js';
import { SERVER_FRAME_TYPES } from './frames.js';
import { parseServerFrame } from './parse-server-frame.js';

const U = '0190a1b2-0000-4000-8000-000000000001';
const D = '0190a1b2-0000-4000-8000-000000000002';
const ENV = 'AAECAwQ=';

/** One frame of every kind, field for field as the relay's ws/connection.ts builds them. */
const SERVER_SAMPLES: readonly ServerFrame[] = [
  { v: 1, t: 'hello', authDeadlineMs: 10_000, maxFrameBytes: 4 * 1024 * 1024 },
  { v: 1, t: 'authed', id: 1, user: U, device: D, expiresAt: 1_700_000_000_000 },
  { v: 1, t: 'ack', id: 2, doc: `profile:${U}`, seq: 7, duplicate: false },
  { v: 1, t: 'entries', id: 3, doc: `profile:${U}`, entries: [{ seq: 5, env: ENV }, { seq: 6, env: '' }], next: 6, more: true },
  { v: 1, t: 'entries', id: 3, doc: `profile:${U}`, entries: [], next: 0, more: false },
  { v: 1, t: 'entry', doc: `profile:${U}`, seq: 8, env: ENV },
  { v: 1, t: 'ok', id: 4 },
  { v: 1, t: 'presence', from: { user: U, device: D }, state: 'away' },
  { v: 1, t: 'signal', from: { user: U, device: D }, kind: 'offer', body: ENV },
  { v: 1, t: 'pong', id: 5 },
  { v: 1, t: 'error', id: 6, code: 'forbidden', message: 'no' },
  { v: 1, t: 'error', code: 'malformed', message: 'invalid JSON' },
];

const parse = (frame: unknown): string => {
  const r = parseServerFrame(JSON.stringify(frame));
  return r.ok ? 'ok' : r.error.code;
};

/** JSON types, with the numbers no frame field allows (negative, fractional) told apart. */
const jsonType = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' && !(Number.isInteger(v) && v >= 0) ? 'bad number' : typeof v;

/** Values of the wrong type (or out of range) for every JSON type a field can have. */
const WRONG: readonly unknown[] = [null, true, -1, 1.5, 'x', [], {}];

describe('server frames (RLY-2b: the client parses every relay frame strictly)', () => {
  it('accepts one frame of every kind, field for field', () => {
    expect(new Set(SERVER_SAMPLES.map((f) => f.t))).toEqual(new Set(SERVER_FRAME_TYPES));
    for (const f of SERVER_SAMPLES) {
      const r = parseServerFrame(JSON.stringify(f));
      expect(r.ok && r.value).toEqual(f);
    }
  });

  it('refuses a frame missing any field, and any field of a wrong type or range', () => {
    let refused = 0;
    for (const f of SERVER_SAMPLES) {
      for (const key of Object.keys(f)) {
        if (key === 'v') continue;
        const optional = f.t === 'error' && key === 'id';
        const { [key]: _gone, ...rest } = f as unknown as Record<string, unknown>;
        expect(parse(rest), `${f.t} without ${key}`).toBe(optional ? 'ok' : 'malformed');
        for (const bad of WRONG) {
          // A value of the field's own JSON type may be valid (another message, an empty list).
          if (jsonType(bad) === jsonType((f as unknown as Record<string, unknown>)[key])) continue;
          expect(parse({ ...f, [key]: bad }), `${f.t}.${key} = ${JSON.stringify(bad)}`).toBe('malformed');
          refused++;
        }
      }
    }
    console.log(`server frames: ${refused} mistyped variants refused`);
    expect(refused).toBeGreaterThan(150);
  });

  it('checks nested fields: entries, senders, enums, UUIDs, base64, ids', () => {
    const entries = SERVER_SAMPLES[3] as Extract<ServerFrame, { t: 'entries' }>;
    const presence = SERVER_SAMPLES[7] as Extract<ServerFrame, { t: 'presence' }>;
    const signal = SERVER_SAMPLES[8] as Extract<ServerFrame, { t: 'signal' }>;
    const bad: unknown[] = [
      { ...entries, entries: [{ seq: -1, env: ENV }] },
      { ...entries, entries: [{ seq: 1 }] },
      { ...entries, entries: [{ seq: 1, env: 'not base64!' }] },
      { ...entries, entries: [null] },
      { ...entries, entries: [[1, ENV]] },
      { ...presence, from: { user: U } },
      { ...presence, from: { user: 'alice', device: D } },
      { ...presence, from: { user: U.toUpperCase(), device: D } },
      { ...presence, from: [U, D] },
      { ...presence, state: 'invisible' },
      { ...signal, kind: 'poke' },
      { ...signal, body: 'a'.repeat(1024 * 1024 + 1) },
      { v: 1, t: 'ok', id: 0x80000000 },
      { v: 1, t: 'error', code: 'no_such_code', message: 'x' },
      { v: 1, t: 'error', id: 'x', code: 'forbidden', message: 'x' },
      { v: 1, t: 'error', code: 'forbidden', message: 'm'.repeat(4097) },
      { v: 1, t: 'ack', id: 1, doc: 'd'.repeat(201), seq: 1, duplicate: true },
      { v: 1, t: 'authed', id: 1, user: U, device: D, expiresAt: Number.MAX_SAFE_INTEGER + 1 },
    ];
    expect(bad.map(parse)).toEqual(bad.map(() => 'malformed'));
  });

  it('refuses unknown kinds, other versions, non-objects, binary, oversize, deep, trailing junk and prototype keys', () => {
    const cases: Array<[unknown, string]> = [
      ['{"v":1,"t":"nope","id":1}', 'malformed'],
      ['{"v":1,"id":1}', 'malformed'],
      ['{"v":1,"t":"__proto__","id":1}', 'malformed'],
      ['{"v":2,"t":"ok","id":1}', 'unsupported_version'],
      ['{"t":"ok","id":1}', 'unsupported_version'],
      ['[1]', 'malformed'],
      ['null', 'malformed'],
      ['"ok"', 'malformed'],
      ['', 'malformed'],
      ['{"v":1,"t":"ok","id":1} junk', 'malformed'],
      ['{"v":1,"t":"ok","id":1}{}', 'malformed'],
      ['{"v":1,"t":"ok","id":1,"__proto__":{"polluted":true}}', 'malformed'],
      ['{"v":1,"t":"presence","from":{"user":"' + U + '","device":"' + D + '","constructor":{}},"state":"away"}', 'malformed'],
      ['{"v":1,"t":"ok","id":1,"x":[[[[[1]]]]]}', 'malformed'],
      [new Uint8Array([123, 125]), 'malformed'],
      [42, 'malformed'],
    ];
    for (const [input, code] of cases) {
      const r = parseServerFrame(input);
      expect(r.ok ? 'ok' : r.error.code, String(input)).toBe(code);
    }
    const big = JSON.stringify({ v: 1, t: 'entry', doc: `profile:${U}`, seq: 1, env: 'A'.repeat(64) });
    const tooBig = parseServerFrame(big, { maxFrameChars: big.length - 1, maxSignalChars: 10 });
    expect(tooBig.ok ? 'ok' : tooBig.error.code).toBe('too_large');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('copies only the defined fields: unknown fields are dropped, never passed on', () => {
    const r = parseServerFrame(JSON.stringify({ v: 1, t: 'ok', id: 1, extra: 'ignored', doc: 'x' }));
    expect(r.ok && r.value).toEqual({ v: 1, t: 'ok', id: 1 });
  });
});
