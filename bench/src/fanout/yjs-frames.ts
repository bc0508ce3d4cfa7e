import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { chatText } from '../config.js';

const MESSAGE_SYNC = 0;

/** `count` y-websocket sync frames, each one Y.Array push (one chat message) by one writer. */
export function yjsUpdateFrames(writer: string, count: number, bytes: number): Uint8Array[] {
  const doc = new Y.Doc();
  const frames: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE_SYNC);
    syncProtocol.writeUpdate(enc, update);
    frames.push(encoding.toUint8Array(enc));
  });
  const list = doc.getArray<{ text: string }>('messages');
  for (let i = 0; i < count; i++) list.push([{ text: chatText(writer, i, bytes) }]);
  doc.destroy();
  return frames;
}

/** Whether a frame the server sent is a document update (sync message, update type). */
export function isYjsUpdate(frame: Uint8Array): boolean {
  const dec = decoding.createDecoder(frame);
  return decoding.readVarUint(dec) === MESSAGE_SYNC && decoding.readVarUint(dec) === syncProtocol.messageYjsUpdate;
}
