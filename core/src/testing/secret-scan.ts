/**
 * Test helpers for "a database dump holds no secret" (ADR 0012): read every record of every
 * IndexedDB database of a factory, and count where a secret's bytes appear in any encoding.
 */
import { encodeBase64 } from '../protocol/base64.js';
import { decodeHex, encodeHex } from '../protocol/hex.js';

/** Every key and value of every object store of every database in `factory`. */
export async function dumpIndexedDb(factory: IDBFactory): Promise<{ databases: string[]; records: unknown[] }> {
  const databases = (await factory.databases()).map((d) => d.name).filter((n): n is string => n !== undefined);
  const records: unknown[] = [];
  for (const name of databases) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new Error(`cannot open ${name}`, { cause: r.error }));
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const [keys, values] = await new Promise<[unknown[], unknown[]]>((resolve, reject) => {
        const tx = db.transaction(store);
        const k = tx.objectStore(store).getAllKeys();
        const v = tx.objectStore(store).getAll();
        tx.oncomplete = () => resolve([k.result, v.result]);
        tx.onerror = () => reject(new Error(`cannot read ${name}/${store}`, { cause: tx.error }));
      });
      records.push(...keys, ...values);
    }
    db.close();
  }
  return { databases, records };
}

const hex = encodeHex;
const b64 = encodeBase64;

function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Byte readings of a stored string: itself, and its hex / base64 / base64url decodings. */
function readings(s: string): Uint8Array[] {
  const out: Uint8Array[] = [new TextEncoder().encode(s)];
  const asHex = decodeHex(s.toLowerCase());
  if (asHex !== undefined && s.length > 0) out.push(asHex);
  // Lenient on purpose (unpadded, base64url, any trailing bits): a scanner reads every form a
  // secret could have leaked in, so this is Node's decoder, not the strict protocol one.
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s) && s.length >= 8) out.push(new Uint8Array(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64')));
  return out;
}

/**
 * How many stored leaves (byte arrays, strings, numbers arrays) contain `secret` — raw, or as
 * hex / base64 inside a string (also base64 at any alignment, by decoding each string).
 */
export function countSecretHits(records: readonly unknown[], secret: Uint8Array): number {
  const textual = [hex(secret), b64(secret).replace(/=+$/, ''), b64(secret).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')];
  const rawText = new TextDecoder('utf-8', { fatal: false }).decode(secret);
  let hits = 0;
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') {
      if (textual.some((t) => v.toLowerCase().includes(t.toLowerCase())) || (secret.length >= 8 && v.includes(rawText)) || readings(v).some((r) => containsBytes(r, secret))) hits++;
      return;
    }
    if (typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (containsBytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), secret)) hits++;
      return;
    }
    if (v instanceof ArrayBuffer) {
      if (containsBytes(new Uint8Array(v), secret)) hits++;
      return;
    }
    if (Array.isArray(v) && v.length >= secret.length && v.every((x) => typeof x === 'number')) {
      if (containsBytes(Uint8Array.from(v), secret)) hits++;
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        visit(k);
        visit(x);
      }
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      visit(k);
      visit(x);
    }
  };
  for (const r of records) visit(r);
  return hits;
}
