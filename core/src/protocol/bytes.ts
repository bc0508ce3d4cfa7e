import { KithError } from '../errors.js';

/** An unsigned integer ≤ 2^53 − 1 as 8 big-endian bytes (the u64 of every signed layout). */
export function encodeU64(v: number): Uint8Array {
  return new ByteWriter(8).u64(v).finish();
}

/** Minimal big-endian byte writer for wire formats. */
export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }
  /** An unsigned integer ≤ 2^53 − 1 as 8 bytes. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError('u64 must be a safe non-negative integer');
    this.u32(Math.floor(v / 2 ** 32));
    this.u32(v % 2 ** 32);
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }
  /** Bytes prefixed by a u32 length. */
  bytes32(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes);
  }
  /** UTF-8 string prefixed by a u8 length (≤ 255 bytes). */
  str8(s: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length > 255) throw new RangeError('str8 too long');
    return this.u8(b.length).raw(b);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Bounds-checked reader; every failure is a `malformed` KithError, never a RangeError. */
export class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new KithError('malformed', `truncated ${what}`);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(what = 'u64'): number {
    const hi = this.u32(what);
    const lo = this.u32(what);
    if (hi >= 2 ** 21) throw new KithError('malformed', `${what} exceeds 2^53`);
    return hi * 2 ** 32 + lo;
  }
  raw(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  bytes32(max: number, what = 'bytes'): Uint8Array {
    const n = this.u32(`${what} length`);
    if (n > max) throw new KithError('too_large', `${what} is ${n} bytes, limit ${max}`);
    return this.raw(n, what);
  }
  str8(what = 'string'): string {
    const n = this.u8(`${what} length`);
    const b = this.raw(n, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch (cause) {
      throw new KithError('malformed', `${what} is not UTF-8`, { cause });
    }
  }
  /** The slice [start, current position). */
  slice(start: number): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }
  expectEnd(what: string): void {
    if (this.pos !== this.buf.length) throw new KithError('malformed', `${this.buf.length - this.pos} trailing bytes after ${what}`);
  }
}
