import type { DocId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';

/** An envelope waiting for the relay's acknowledgement (meta `sync/push/<change key>`). */
export interface QueuedPush {
  /** The change key of the envelope (`changeKey`): document and counter. */
  readonly key: string;
  readonly doc: DocId;
  readonly bytes: Uint8Array;
  /** The change it carries (acknowledged to the engine when the relay stores it). */
  readonly change?: DocChange;
}
