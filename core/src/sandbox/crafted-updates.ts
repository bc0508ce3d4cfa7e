/**
 * Hand-made hostile Yjs updates kept as named regression cases (SBX-6). Built byte by byte, so
 * they do not depend on what the Yjs encoder would write.
 */

const varUint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push(0x80 | (v % 128));
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
const bytes = (b: readonly number[]): number[] => [...varUint(b.length), ...b];

/**
 * A 25-byte Yjs v2 update that declares `structs` garbage-collected structs (default 100
 * million) and supplies them from run-length columns that never run out: the info column's last
 * value repeats forever and the length column holds one run of `structs` ones. Yjs 13.6
 * allocates one object per struct into one array (`new Array(n)` filled by index while applying;
 * `push` while `decodeUpdateV2` checks a scope) until the heap is exhausted — a tiny signed
 * update that makes the decoder run out of memory (V8's fatal out-of-memory abort in a child
 * process). A peer must survive it; only the sandbox's worker dies.
 */
export function gcFloodUpdateV2(structs: number = 100_000_000): Uint8Array {
  return Uint8Array.from([
    0, // feature flag
    ...bytes([]), // key clocks
    ...bytes([0x01]), // clients: 1
    ...bytes([]), // left clocks
    ...bytes([]), // right clocks
    ...bytes([0x00]), // info: 0 = GC, repeated forever by the RLE decoder
    ...bytes([0x00]), // strings: one empty string (the decoder reads it eagerly)
    ...bytes([]), // parent info
    ...bytes([]), // type refs
    ...bytes([0x41, ...varUint(structs - 2)]), // lengths: 1, `structs` times (a negative run)
    ...varUint(1), // one client in the rest
    ...varUint(structs), // its number of structs
    ...varUint(0), // first clock
    ...varUint(0), // empty delete set
  ]);
}
