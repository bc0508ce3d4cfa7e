import { describe, expect, it } from 'vitest';
import {
  BINARY_ENTRIES_ID_OFFSET,
  binaryToServerFrame,
  decodeBinaryClientFrame,
  decodeBinaryServerFrame,
  encodeBinaryPush,
  encodeBinaryServerFrame,
  type BinaryServerFrame,
} from './binary-frames.js';
import { parseClientFrame } from './parse-client-frame.js';
import { parseServerFrame } from './parse-server-frame.js';
import { createSeededRandom, seedFromEnv } from '../../testing/seeded-random.js';
import { withSeed } from '../../testing/fuzz-env.js';

const U = '0190a1b2-0000-4000-8000-000000000001';
const DOC = `feed:${U}:${U}:0`;
const env = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);
const MAX = 1 << 20;
const codeOf = (r: { ok: boolean; error?: { code: string } }): string => (r.ok ? 'ok' : r.error!.code);

describe('binary hot frames (RLY-39..RLY-45)', () => {
  it('RLY-39: auth asks with frames "binary-1" and authed confirms it; any other value asks for nothing', () => {
    const auth = (frames: unknown) => parseClientFrame(JSON.stringify({ v: 1, t: 'auth', id: 1, token: 'abc', frames }));
    expect(auth('binary-1')).toEqual({ ok: true, value: { v: 1, t: 'auth', id: 1, token: 'abc', frames: 'binary-1' } });
    expect(auth('binary-9')).toEqual({ ok: true, value: { v: 1, t: 'auth', id: 1, token: 'abc' } });
    const authed = (frames: unknown) => parseServerFrame(JSON.stringify({ v: 1, t: 'authed', id: 1, user: U, device: U, expiresAt: 5, frames }));
    expect(authed('binary-1')).toMatchObject({ ok: true, value: { frames: 'binary-1' } });
    const other = authed(2);
    expect(other.ok && 'frames' in other.value).toBe(false);
    expect(other.ok).toBe(true);
  });

  it('RLY-40/41: a push round-trips with and without cap and supersedes; the envelope is the rest', () => {
    for (const frame of [
      { t: 'push' as const, id: 9, env: env(300) },
      { t: 'push' as const, id: 0x7fffffff, env: env(1), cap: 'tok_EN-1', supersedes: 2 ** 53 - 1 },
      { t: 'push' as const, id: 3, env: env(20), supersedes: 0 },
    ]) {
      const bytes = encodeBinaryPush(frame);
      expect(bytes[0]).toBe(1);
      expect(bytes[1]).toBe(1);
      expect(decodeBinaryClientFrame(bytes, MAX)).toEqual({ ok: true, value: frame });
    }
    // 2 header + 4 id + 1 flags + the envelope: 7 bytes of framing against JSON's ~40 plus base64's third.
    expect(encodeBinaryPush({ t: 'push', id: 1, env: env(600) }).length).toBe(607);
  });

  it('RLY-42..44: ack, entry and entries round-trip and mean what their JSON frames mean', () => {
    const frames: BinaryServerFrame[] = [
      { t: 'ack', id: 4, doc: DOC, seq: 77, duplicate: true },
      { t: 'ack', id: 4, doc: DOC, seq: 78, duplicate: false },
      { t: 'entry', doc: DOC, seq: 2 ** 40, env: env(200) },
      { t: 'entries', id: 5, doc: DOC, entries: [{ seq: 1, env: env(3, 1) }, { seq: 9, env: env(5, 2) }], next: 9, more: true },
      { t: 'entries', id: 5, doc: DOC, entries: [], next: 4, more: false },
    ];
    for (const f of frames) {
      const back = decodeBinaryServerFrame(encodeBinaryServerFrame(f), MAX);
      expect(back).toEqual({ ok: true, value: f });
      // The JSON frame of the same meaning passes the strict JSON parser unchanged.
      const json = binaryToServerFrame(f);
      expect(parseServerFrame(JSON.stringify(json))).toEqual({ ok: true, value: json });
    }
    // A shared entries frame re-stamped with another subscription id (RLY-24 with binary frames).
    const shared = encodeBinaryServerFrame(frames[3]!).slice();
    new DataView(shared.buffer).setUint32(BINARY_ENTRIES_ID_OFFSET, 42);
    expect(decodeBinaryServerFrame(shared, MAX).ok && decodeBinaryServerFrame(shared, MAX)).toMatchObject({ value: { id: 42 } });
  });

  it('RLY-45: the decoders are strict: version, type, flags, ids, UTF-8, safe integers, lengths, trailing bytes', () => {
    const push = encodeBinaryPush({ t: 'push', id: 1, env: env(4), cap: 'abc', supersedes: 5 });
    const with_ = (b: Uint8Array, at: number, v: number): Uint8Array => {
      const c = b.slice();
      c[at] = v;
      return c;
    };
    expect(codeOf(decodeBinaryClientFrame(with_(push, 0, 2), MAX))).toBe('unsupported_version');
    expect(codeOf(decodeBinaryClientFrame(with_(push, 1, 2), MAX))).toBe('malformed'); // a server type
    expect(codeOf(decodeBinaryClientFrame(with_(push, 6, 7), MAX))).toBe('malformed'); // unknown flag
    expect(codeOf(decodeBinaryClientFrame(with_(push, 2, 0x80), MAX))).toBe('malformed'); // id > 2^31 − 1
    expect(codeOf(decodeBinaryClientFrame(with_(push, 8, 0x21), MAX))).toBe('malformed'); // '!' in the cap
    expect(codeOf(decodeBinaryClientFrame(with_(push, 11, 0xff), MAX))).toBe('malformed'); // supersedes > 2^53 − 1
    expect(codeOf(decodeBinaryClientFrame(push.subarray(0, 18), MAX))).toBe('malformed'); // no envelope
    expect(codeOf(decodeBinaryClientFrame(push, 10))).toBe('too_large');
    expect(codeOf(decodeBinaryClientFrame(new Uint8Array([1]), MAX))).toBe('malformed');

    const ack = encodeBinaryServerFrame({ t: 'ack', id: 1, doc: 'ab', seq: 3, duplicate: false });
    expect(codeOf(decodeBinaryServerFrame(new Uint8Array([...ack, 0]), MAX))).toBe('malformed'); // trailing
    expect(codeOf(decodeBinaryServerFrame(with_(ack, ack.length - 1, 0xff), MAX))).toBe('malformed'); // invalid UTF-8
    expect(codeOf(decodeBinaryServerFrame(with_(ack, 15, 0), MAX))).toBe('malformed'); // empty doc
    expect(codeOf(decodeBinaryServerFrame(with_(ack, 1, 9), MAX))).toBe('malformed'); // unknown type
    const many = encodeBinaryServerFrame({ t: 'entries', id: 1, doc: 'ab', entries: [{ seq: 1, env: env(2) }], next: 1, more: false });
    expect(codeOf(decodeBinaryServerFrame(many.subarray(0, many.length - 1), MAX))).toBe('malformed'); // truncated env
    expect(codeOf(decodeBinaryServerFrame(with_(many, 21, 9), MAX))).toBe('malformed'); // count past the end
    expect(codeOf(decodeBinaryServerFrame(with_(many, 33, 0), MAX))).toBe('malformed'); // an empty envelope
  });

  it('RLY-45 fuzz: mutated and random binary frames decode or fail with a code, never throw; what decodes re-encodes to the same bytes', () => {
    const seed = seedFromEnv();
    withSeed(seed, () => {
      const r = createSeededRandom(seed);
      const valid = (): Uint8Array =>
        r.pick([
          () => encodeBinaryPush({ t: 'push', id: r.int(1000), env: r.bytes(1 + r.int(40)), ...(r.chance(0.5) ? { cap: 'read' } : {}), ...(r.chance(0.5) ? { supersedes: r.int(1e6) } : {}) }),
          () => encodeBinaryServerFrame({ t: 'ack', id: r.int(1000), doc: DOC, seq: r.int(1e9), duplicate: r.chance(0.5) }),
          () => encodeBinaryServerFrame({ t: 'entry', doc: DOC, seq: r.int(1e9), env: r.bytes(1 + r.int(40)) }),
          () => encodeBinaryServerFrame({ t: 'entries', id: r.int(1000), doc: DOC, entries: Array.from({ length: r.int(4) }, () => ({ seq: r.int(1e9), env: r.bytes(1 + r.int(9)) })), next: r.int(1e9), more: r.chance(0.5) }),
        ])();
      const codes = new Map<string, number>();
      for (let i = 0; i < 3000; i++) {
        const b = valid().slice();
        const n = r.int(4);
        for (let k = 0; k < n && b.length > 0; k++) b[r.int(b.length)] = r.int(256);
        const data = r.chance(0.1) ? r.bytes(r.int(80)) : r.chance(0.2) ? b.subarray(0, r.int(b.length + 1)) : b;
        const c = decodeBinaryClientFrame(data, 4096);
        const s = decodeBinaryServerFrame(data, 4096);
        for (const x of [c, s]) codes.set(codeOf(x), (codes.get(codeOf(x)) ?? 0) + 1);
        if (c.ok) expect(encodeBinaryPush(c.value)).toEqual(data);
        if (s.ok) expect(encodeBinaryServerFrame(s.value)).toEqual(data);
      }
      expect(codes.get('malformed')).toBeGreaterThan(0);
      console.log(`[binary-frames fuzz] seed=${seed} outcomes ${JSON.stringify(Object.fromEntries(codes))}`);
    });
  });
});
