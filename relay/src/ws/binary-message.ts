/**
 * A WebSocket message as bytes when it arrived as a binary message (`ws` hands a Buffer, an
 * ArrayBuffer or a list of Buffers, by its `binaryType`); undefined for text.
 */
export function asBinaryMessage(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    const parts = data;
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  return undefined;
}
