/**
 * The frames an unmodified y-websocket `WebsocketProvider` speaks (the y-protocols sync and
 * awareness messages), written from their wire format: every integer is an unsigned LEB128
 * varint (7 bits per byte, low bits first, high bit = more), a byte string is its varint length
 * then its bytes.
 *   sync:            0 ‖ subtype (0 step 1: state vector, 1 step 2: update, 2 update) ‖ bytes
 *   awareness:       1 ‖ bytes (an awareness update, opaque here)
 *   auth:            2 ‖ …   (ignored)
 *   query awareness: 3
 */
export type YFrame =
  | { readonly t: 'sync'; readonly step: 'step1' | 'step2' | 'update'; readonly bytes: Uint8Array }
  | { readonly t: 'awareness'; readonly bytes: Uint8Array }
  | { readonly t: 'queryAwareness' }
  | { readonly t: 'auth' };

const SYNC_STEPS = ['step1', 'step2', 'update'] as const;

function writeVarUint(out: number[], n: number): void {
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Encodes a frame for the provider. */
export function encodeYFrame(frame: YFrame): Uint8Array {
  const head: number[] = [];
  let body: Uint8Array = new Uint8Array(0);
  switch (frame.t) {
    case 'sync':
      writeVarUint(head, 0);
      writeVarUint(head, SYNC_STEPS.indexOf(frame.step));
      writeVarUint(head, frame.bytes.length);
      body = frame.bytes;
      break;
    case 'awareness':
      writeVarUint(head, 1);
      writeVarUint(head, frame.bytes.length);
      body = frame.bytes;
      break;
    case 'queryAwareness':
      writeVarUint(head, 3);
      break;
    case 'auth':
      writeVarUint(head, 2);
      break;
  }
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Decodes a frame from the provider; undefined for anything malformed or unknown. */
export function decodeYFrame(bytes: Uint8Array): YFrame | undefined {
  let pos = 0;
  const readVarUint = (): number | undefined => {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8 && pos < bytes.length; i++) {
      const b = bytes[pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
    }
    return undefined;
  };
  const readBytes = (): Uint8Array | undefined => {
    const len = readVarUint();
    if (len === undefined || pos + len > bytes.length) return undefined;
    const out = bytes.slice(pos, pos + len);
    pos += len;
    return out;
  };
  switch (readVarUint()) {
    case 0: {
      const step = SYNC_STEPS[readVarUint() ?? -1];
      const body = readBytes();
      return step === undefined || body === undefined ? undefined : { t: 'sync', step, bytes: body };
    }
    case 1: {
      const body = readBytes();
      return body === undefined ? undefined : { t: 'awareness', bytes: body };
    }
    case 2:
      return { t: 'auth' };
    case 3:
      return { t: 'queryAwareness' };
    default:
      return undefined;
  }
}
