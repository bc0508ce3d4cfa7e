/**
 * Structural equality for the plain data the engine returns (records, arrays, strings, numbers,
 * booleans, null). Hooks use it to hand React the previous snapshot when nothing changed, so a
 * row re-renders only when its own data did.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * `next`, with every element that equals the element of `prev` at the same key replaced by that
 * previous object — and `prev` itself when nothing changed at all.
 */
export function keepUnchanged<T>(prev: readonly T[] | undefined, next: readonly T[], keyOf: (item: T) => string): readonly T[] {
  if (prev === undefined) return next;
  const old = new Map(prev.map((item) => [keyOf(item), item]));
  let changed = prev.length !== next.length;
  const out = next.map((item, i) => {
    const before = old.get(keyOf(item));
    if (before !== undefined && sameValue(before, item)) {
      if (prev[i] !== before) changed = true;
      return before;
    }
    changed = true;
    return item;
  });
  return changed ? out : prev;
}
