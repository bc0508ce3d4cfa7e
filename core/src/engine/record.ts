import type { DeviceId, DocId, UserId } from '../ids.js';
import type { Result } from '../errors.js';
import type { DocChange } from '../protocol/doc-change.js';
import { fail, isKithError, ok } from '../errors.js';
import { isUuid, parseDocId } from '../ids.js';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';

/**
 * The local storage form of a DocChange (document updates and outbox items): version u8 = 1,
 * kind u8 (1 update, 2 member, 3 snapshot), doc str8, author str8, device str8, counter u64, payload
 * bytes32. Local only — the wire form is the envelope (docs/PROTOCOL.md).
 */
const VERSION = 1;
const MAX_PAYLOAD = 16 * 1024 * 1024;
const KIND_BYTE = { update: 1, member: 2, snapshot: 3 } as const;
const KIND_OF = [undefined, 'update', 'member', 'snapshot'] as const;

export function encodeRecord(change: DocChange): Uint8Array {
  return new ByteWriter(change.payload.length + 160)
    .u8(VERSION)
    .u8(KIND_BYTE[change.kind])
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
    const kind = KIND_OF[r.u8('kind')];
    if (kind === undefined) return fail('malformed', 'unknown record kind');
    const doc: DocId = parseDocId(r.str8('doc'));
    const author = r.str8('author');
    const device = r.str8('device');
    if (!isUuid(author) || !isUuid(device)) return fail('malformed', 'record ids are not UUIDs');
    const counter = r.u64('counter');
    const payload = r.bytes32(MAX_PAYLOAD, 'payload').slice();
    r.expectEnd('record');
    return ok({ doc, kind, author: author as UserId, device: device as DeviceId, counter, payload });
  } catch (error) {
    if (isKithError(error)) return { ok: false, error };
    return fail('malformed', 'undecodable record', error);
  }
}

