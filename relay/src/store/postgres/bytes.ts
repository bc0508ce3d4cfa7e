/** A driver `Buffer` as a plain `Uint8Array` view of the same bytes (no copy). */
export function asBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A `Uint8Array` as a `Buffer` view (the driver writes a Buffer as bytea). */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
