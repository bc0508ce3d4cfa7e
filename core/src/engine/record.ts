import type { DeviceId, DocId, UserId } from '../ids.js';
import type { Result } from '../errors.js';
import type { DocChange } from '../protocol/doc-change.js';
import { fail, isKithError, ok } from '../errors.js';
import { isUuid, parseDocId } from '../ids.js';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';

/**
 * The local storage form of a DocChange (document updates and outbox items): version u8 = 1,
 * kind u8 (1 update, 2 member), doc str8, author str8, device str8, counter u64, payload
 * bytes32. Local only — the wire form is the envelope (docs/PROTOCOL.md).
 */
const VERSION = 1;
const MAX_PAYLOAD = 16 * 1024 * 1024;

export function encodeRecord(change: DocChange): Uint8Array {
  return new ByteWriter(change.payload.length + 160)
    .u8(VERSION)
    .u8(change.kind === 'update' ? 1 : 2)
    .str8(change.doc)
    .str8(change.author)
    .str8(change.device)
    .u64(change.counter)
    .bytes32(change.payload)
    .finish();
}

export function decodeRecord(bytes: Uint8Array): Result<DocChange> {
  try {
    const r = new ByteReader(bytes);
    if (r.u8('version') !== VERSION) return fail('unsupported_version', 'unknown record version');
    const kindByte = r.u8('kind');
    if (kindByte !== 1 && kindByte !== 2) return fail('malformed', 'unknown record kind');
    const doc: DocId = parseDocId(r.str8('doc'));
    const author = r.str8('author');
    const device = r.str8('device');
    if (!isUuid(author) || !isUuid(device)) return fail('malformed', 'record ids are not UUIDs');
    const counter = r.u64('counter');
    const payload = r.bytes32(MAX_PAYLOAD, 'payload').slice();
    r.expectEnd('record');
    return ok({ doc, kind: kindByte === 1 ? 'update' : 'member', author: author as UserId, device: device as DeviceId, counter, payload });
  } catch (error) {
    if (isKithError(error)) return { ok: false, error };
    return fail('malformed', 'undecodable record', error);
  }
}

