import type { Attachment, AttachmentId, BlobId, ConversationId, SyncClient } from '@kith/core';

/**
 * Group icons. A group's `icon` is a short string in its membership log (at most 1,024
 * characters, MEMBERSHIP_LIMITS.maxIcon), so the image itself travels like an attachment:
 * shrunk to at most ICON_PX square, encrypted under the group's key and uploaded as a blob, and
 * the icon string carries the attachment metadata (`kith-icon:1:` + JSON; no key: the blob key
 * derives from the group's epoch key). Whoever can read the group can fetch and open it.
 */
export const ICON_PX = 128;
const PREFIX = 'kith-icon:1:';
const HEX = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeGroupIcon(a: Attachment): string {
  return PREFIX + JSON.stringify({ id: a.id, mime: a.mime, size: a.size, name: a.name, hash: a.hash, keySlot: a.keySlot, blob: a.blob });
}

/** The attachment an icon string names; null for anything else (icons come from other people). */
export function decodeGroupIcon(icon: string | null): Attachment | null {
  if (icon === null || !icon.startsWith(PREFIX)) return null;
  let v: unknown;
  try {
    v = JSON.parse(icon.slice(PREFIX.length));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { id, mime, size, name, hash, keySlot, blob } = v as Record<string, unknown>;
  const h = hash as { alg?: unknown; hex?: unknown } | null;
  if (typeof id !== 'string' || !UUID.test(id) || typeof blob !== 'string' || !HEX.test(blob)) return null;
  if (typeof mime !== 'string' || !/^image\/(png|jpeg|webp|gif)$/.test(mime) || typeof name !== 'string' || name.length > 255) return null;
  if (!Number.isSafeInteger(size) || (size as number) < 0 || !Number.isSafeInteger(keySlot) || (keySlot as number) < 0) return null;
  if (typeof h !== 'object' || h === null || (h.alg !== 'blake2b' && h.alg !== 'sha256') || typeof h.hex !== 'string' || !HEX.test(h.hex)) return null;
  return { id: id as AttachmentId, mime, size: size as number, name, hash: { alg: h.alg, hex: h.hex }, keySlot: keySlot as number, blob: blob as BlobId };
}

/** Shrinks an image to fit ICON_PX × ICON_PX (PNG); the browser decodes it, so a non-image fails. */
export async function shrinkImage(bytes: Uint8Array, mime: string): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  const scale = Math.min(1, ICON_PX / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('This browser cannot draw images.');
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

/**
 * Blob URLs of group icons, by icon string: `url(conv, icon)` answers at once from the cache
 * (null while loading or when the icon cannot be opened) and calls `loaded` when a fetch ends.
 */
export interface IconCache {
  url(conversation: ConversationId, icon: string | null): string | null;
}

export function createIconCache(sync: SyncClient, loaded: () => void, now: () => number = Date.now): IconCache {
  const urls = new Map<string, string | null>();
  // A failed fetch (right after a reload the group's key may not be loaded yet; offline) is
  // retried by itself after 0.5 s, 1 s, 2 s … (at most 10 s): `loaded` asks for a render, whose
  // url() call fetches again. (Waiting for some other change to render took ~30 s.)
  const failed = new Map<string, { at: number; wait: number }>();
  return {
    url(conversation, icon) {
      const a = decodeGroupIcon(icon);
      if (a === null || icon === null) return null;
      const key = `${conversation}|${icon}`;
      if (urls.has(key)) return urls.get(key) ?? null;
      const last = failed.get(key);
      if (last !== undefined && now() - last.at < last.wait) return null;
      urls.set(key, null);
      const fail = (): void => {
        urls.delete(key);
        const wait = Math.min(10_000, last === undefined ? 500 : last.wait * 2);
        failed.set(key, { at: now(), wait });
        setTimeout(loaded, wait);
      };
      sync.downloadAttachment(conversation, a).then((r) => {
        if (!r.ok) return fail();
        failed.delete(key);
        urls.set(key, URL.createObjectURL(new Blob([r.value as Uint8Array<ArrayBuffer>], { type: a.mime })));
        loaded();
      }, fail);
      return null;
    },
  };
}
