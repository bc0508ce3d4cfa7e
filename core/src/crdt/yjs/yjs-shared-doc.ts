import * as Y from 'yjs';
import type { SharedDocBackend } from '../../ports/shared-doc.js';

/** The origin of updates the engine applies, so they are not reported back as local edits. */
const FROM_KITH = Symbol('kith/shared-doc');

/**
 * The Yjs backend of shared documents (ADR 0025): `kith.docs.open(conv, name, { backend:
 * yjsSharedDocs })` gives a `Y.Doc`. Every update of the document whose origin is not Kith itself
 * (the app's edits, a provider's) is a local edit.
 */
export const yjsSharedDocs: SharedDocBackend<Y.Doc> = {
  name: 'yjs',
  create: () => new Y.Doc(),
  apply(doc, payload) {
    try {
      Y.applyUpdate(doc, payload, FROM_KITH);
      return true;
    } catch {
      return false;
    }
  },
  onLocal(doc, listener) {
    const handler = (update: Uint8Array, origin: unknown): void => {
      if (origin !== FROM_KITH) listener(update);
    };
    doc.on('update', handler);
    return () => doc.off('update', handler);
  },
  destroy: (doc) => doc.destroy(),
};
