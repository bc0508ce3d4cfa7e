import { fail, ok, type Result } from '../../errors.js';
import { encodeBase64 } from '../base64.js';
import type { ServerFrame } from './frames.js';
import { MAX_DOC_CHARS, MAX_FRAME_ID, MAX_TOKEN_CHARS } from './limits.js';

/**
 * Binary WebSocket frames for the hot messages (docs/PROTOCOL.md RLY-39..RLY-45, ADR 0030):
 * pushes, acks and entries carry envelope bytes as they are instead of base64 inside JSON.
 * Used only on a connection where the client asked for them in `auth` (`frames: "binary-1"`)
 * and the relay confirmed it in `authed` (RLY-39); every other frame stays JSON text.
 *
 * Layout (RLY-40): `u8 format (1) ‖ u8 type ‖ fields`, integers big-endian, a document id as
 * `u8 len ‖ UTF-8`. The one definition for both sides; decoding is strict (RLY-45).
 */
export const BINARY_FRAME_FORMAT = 1;
/** The value of `frames` in `auth` / `authed` that selects this format (RLY-39). */
export const BINARY_FRAMES = 'binary-1';

const TYPE = { push: 1, ack: 2, entry: 3, entries: 4 } as const;

/** RLY-41: a push as the relay decodes it: the envelope as bytes. */
export interface BinaryPushFrame {
  readonly t: 'push';
  readonly id: number;
  readonly env: Uint8Array;
  readonly cap?: string;
  readonly supersedes?: number;
}

export interface BinaryEntry {
  readonly seq: number;
  readonly env: Uint8Array;
}

/** RLY-42..44: the relay's binary frames as the client decodes them. */
export type BinaryServerFrame =
  | { readonly t: 'ack'; readonly id: number; readonly doc: string; readonly seq: number; readonly duplicate: boolean }
  | { readonly t: 'entry'; readonly doc: string; readonly seq: number; readonly env: Uint8Array }
  | { readonly t: 'entries'; readonly id: number; readonly doc: string; readonly entries: readonly BinaryEntry[]; readonly next: number; readonly more: boolean };

const TOKEN_RE = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

class Truncated extends Error {}

/** A bounds-checked reader over one message; every read past the end throws `Truncated`. */
function reader(b: Uint8Array) {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > b.length) throw new Truncated();
  };
  return {
    u8(): number {
      need(1);
      return b[at++]!;
    },
    u32(): number {
      need(4);
      const v = view.getUint32(at);
      at += 4;
      return v;
    },
    u64(): number {
      need(8);
      const hi = view.getUint32(at);
      const lo = view.getUint32(at + 4);
      at += 8;
      if (hi > 0x1fffff) throw new Truncated(); // above 2^53 − 1: not a safe integer
      return hi * 0x1_0000_0000 + lo;
    },
    bytes(n: number): Uint8Array {
      need(n);
      const out = b.subarray(at, at + n);
      at += n;
      return out;
    },
    rest(): Uint8Array {
      const out = b.subarray(at);
      at = b.length;
      return out;
    },
    get left(): number {
      return b.length - at;
    },
  };
}

/** A growing writer; `done` returns exactly the bytes written. */
function writer(size: number) {
  let b = new Uint8Array(size);
  let view = new DataView(b.buffer);
  let at = 0;
  const room = (n: number): void => {
    if (at + n <= b.length) return;
    const next = new Uint8Array(Math.max(b.length * 2, at + n));
    next.set(b);
    b = next;
    view = new DataView(b.buffer);
  };
  const w = {
    u8(v: number) {
      room(1);
      b[at++] = v;
      return w;
    },
    u32(v: number) {
      room(4);
      view.setUint32(at, v);
      at += 4;
      return w;
    },
    u64(v: number) {
      room(8);
      view.setUint32(at, Math.floor(v / 0x1_0000_0000));
      view.setUint32(at + 4, v >>> 0);
      at += 8;
      return w;
    },
    bytes(v: Uint8Array) {
      room(v.length);
      b.set(v, at);
      at += v.length;
      return w;
    },
    doc(doc: string) {
      const d = utf8.encode(doc);
      if (d.length > 255) throw new RangeError('document id too long for a binary frame');
      return w.u8(d.length).bytes(d);
    },
    done: (): Uint8Array => b.subarray(0, at),
  };
  return w;
}

const docOf = (r: ReturnType<typeof reader>): string => {
  const d = strictUtf8.decode(r.bytes(r.u8()));
  if (d.length === 0 || d.length > MAX_DOC_CHARS) throw new Truncated();
  return d;
};
const idOf = (r: ReturnType<typeof reader>): number => {
  const id = r.u32();
  if (id > MAX_FRAME_ID) throw new Truncated();
  return id;
};

/** The header check of RLY-40, shared by both decoders. */
function header(data: Uint8Array, maxBytes: number): Result<{ type: number; r: ReturnType<typeof reader> }> {
  if (data.length > maxBytes) return fail('too_large', 'binary frame too large');
  if (data.length < 2) return fail('malformed', 'binary frame too short');
  if (data[0] !== BINARY_FRAME_FORMAT) return fail('unsupported_version', 'binary frame format must be 1');
  const r = reader(data);
  r.u8();
  return ok({ type: r.u8(), r });
}

/** RLY-41: client side. */
export function encodeBinaryPush(frame: BinaryPushFrame): Uint8Array {
  const w = writer(2 + 4 + 1 + 1 + (frame.cap?.length ?? 0) + 8 + frame.env.length);
  w.u8(BINARY_FRAME_FORMAT).u8(TYPE.push).u32(frame.id).u8((frame.cap === undefined ? 0 : 1) | (frame.supersedes === undefined ? 0 : 2));
  if (frame.cap !== undefined) w.u8(frame.cap.length).bytes(utf8.encode(frame.cap));
  if (frame.supersedes !== undefined) w.u64(frame.supersedes);
  return w.bytes(frame.env).done();
}

/**
 * RLY-45, relay side: one untrusted binary message into a push, or `malformed` /
 * `unsupported_version` / `too_large`. Never throws. The envelope is a view of `data`.
 */
export function decodeBinaryClientFrame(data: Uint8Array, maxBytes: number): Result<BinaryPushFrame> {
  const h = header(data, maxBytes);
  if (!h.ok) return h;
  const { type, r } = h.value;
  if (type !== TYPE.push) return fail('malformed', 'unknown binary frame type');
  try {
    const id = idOf(r);
    const flags = r.u8();
    if ((flags & ~3) !== 0) return fail('malformed', 'unknown push flags');
    let cap: string | undefined;
    if ((flags & 1) !== 0) {
      const n = r.u8();
      cap = strictUtf8.decode(r.bytes(n));
      if (n === 0 || n > MAX_TOKEN_CHARS || !TOKEN_RE.test(cap)) return fail('malformed', 'cap is not a token');
    }
    const supersedes = (flags & 2) !== 0 ? r.u64() : undefined;
    if (r.left === 0) return fail('malformed', 'push without an envelope');
    const env = r.rest();
    const frame: { t: 'push'; id: number; env: Uint8Array; cap?: string; supersedes?: number } = { t: 'push', id, env };
    if (cap !== undefined) frame.cap = cap;
    if (supersedes !== undefined) frame.supersedes = supersedes;
    return ok(frame);
  } catch {
    return fail('malformed', 'truncated or invalid binary frame');
  }
}

/** RLY-42..44: relay side. */
export function encodeBinaryServerFrame(frame: BinaryServerFrame): Uint8Array {
  switch (frame.t) {
    case 'ack':
      return writer(2 + 4 + 1 + 8 + 1 + frame.doc.length * 3)
        .u8(BINARY_FRAME_FORMAT).u8(TYPE.ack).u32(frame.id).u8(frame.duplicate ? 1 : 0).u64(frame.seq).doc(frame.doc).done();
    case 'entry':
      return writer(2 + 8 + 1 + frame.doc.length * 3 + frame.env.length)
        .u8(BINARY_FRAME_FORMAT).u8(TYPE.entry).u64(frame.seq).doc(frame.doc).bytes(frame.env).done();
    case 'entries': {
      let size = 2 + 4 + 1 + 8 + 1 + frame.doc.length * 3 + 4;
      for (const e of frame.entries) size += 12 + e.env.length;
      const w = writer(size).u8(BINARY_FRAME_FORMAT).u8(TYPE.entries).u32(frame.id).u8(frame.more ? 1 : 0).u64(frame.next).doc(frame.doc).u32(frame.entries.length);
      for (const e of frame.entries) w.u64(e.seq).u32(e.env.length).bytes(e.env);
      return w.done();
    }
  }
}

/** Offset of the u32 subscription id in an `entries` frame: a shared frame is copied and re-stamped per subscriber. */
export const BINARY_ENTRIES_ID_OFFSET = 2;

/**
 * RLY-45, client side: one binary message from the relay (untrusted for integrity) into a
 * typed frame, or a coded error; never throws. Flags other than those defined, an empty or
 * oversize document id, invalid UTF-8, an unsafe integer, a count or length past the end and
 * trailing bytes are `malformed`. Envelopes are views of `data`.
 */
export function decodeBinaryServerFrame(data: Uint8Array, maxBytes: number): Result<BinaryServerFrame> {
  const h = header(data, maxBytes);
  if (!h.ok) return h;
  const { type, r } = h.value;
  try {
    switch (type) {
      case TYPE.ack: {
        const id = idOf(r);
        const flags = r.u8();
        const seq = r.u64();
        const doc = docOf(r);
        if ((flags & ~1) !== 0 || r.left !== 0) return fail('malformed', 'invalid ack');
        return ok({ t: 'ack', id, doc, seq, duplicate: flags === 1 });
      }
      case TYPE.entry: {
        const seq = r.u64();
        const doc = docOf(r);
        if (r.left === 0) return fail('malformed', 'entry without an envelope');
        return ok({ t: 'entry', doc, seq, env: r.rest() });
      }
      case TYPE.entries: {
        const id = idOf(r);
        const flags = r.u8();
        const next = r.u64();
        const doc = docOf(r);
        const count = r.u32();
        if ((flags & ~1) !== 0 || count * 12 > r.left) return fail('malformed', 'invalid entries');
        const entries: BinaryEntry[] = [];
        for (let i = 0; i < count; i++) {
          const seq = r.u64();
          const n = r.u32();
          if (n === 0) return fail('malformed', 'empty envelope');
          entries.push({ seq, env: r.bytes(n) });
        }
        if (r.left !== 0) return fail('malformed', 'trailing bytes');
        return ok({ t: 'entries', id, doc, entries, next, more: flags === 1 });
      }
      default:
        return fail('malformed', 'unknown binary frame type');
    }
  } catch {
    return fail('malformed', 'truncated or invalid binary frame');
  }
}

/**
 * A decoded binary frame as the JSON frame of the same meaning (envelopes as base64), so a
 * client handles both the same way.
 */
export function binaryToServerFrame(frame: BinaryServerFrame): ServerFrame {
  switch (frame.t) {
    case 'ack':
      return { v: 1, ...frame };
    case 'entry':
      return { v: 1, t: 'entry', doc: frame.doc, seq: frame.seq, env: encodeBase64(frame.env) };
    case 'entries':
      return { v: 1, t: 'entries', id: frame.id, doc: frame.doc, entries: frame.entries.map((e) => ({ seq: e.seq, env: encodeBase64(e.env) })), next: frame.next, more: frame.more };
  }
}
