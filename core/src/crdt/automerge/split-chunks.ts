/**
 * Splits Automerge storage bytes (a saved document, an incremental save or concatenated
 * changes) into its chunks by their framing alone: 4 magic bytes, a 4-byte checksum, a chunk
 * type (0 document, 1 change, 2 compressed change), a uLEB128 length and that many bytes.
 * Returns null unless the input is one or more whole chunks with nothing left over.
 *
 * Why: Automerge's `loadIncremental` throws when the FIRST chunk is bad, but silently drops a
 * bad later chunk or trailing bytes (it logs a warning and keeps what parsed). Knowing the
 * chunks lets the backend validate each one before the document is touched.
 */
export function splitAutomergeChunks(bytes: Uint8Array): Uint8Array[] | null {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    if (bytes.length - at < 10) return null;
    if (bytes[at] !== 0x85 || bytes[at + 1] !== 0x6f || bytes[at + 2] !== 0x4a || bytes[at + 3] !== 0x83) return null;
    at += 8; // magic + checksum
    const type = bytes[at++]!;
    if (type > 2) return null;
    let length = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length || shift > 49) return null;
      const b = bytes[at++]!;
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (length > bytes.length - at) return null;
    at += length;
    chunks.push(bytes.subarray(start, at));
  }
  return chunks.length > 0 ? chunks : null;
}
