import type { DocChange } from '../protocol/doc-change.js';
import type { Core } from './core.js';

/** Hands a durable local change to the `onOutgoing` listeners (a throwing listener is counted). */
export function emitOutgoing(core: Core, change: DocChange): void {
  for (const listener of core.outgoing) {
    try {
      listener(change);
    } catch {
      core.stats.listenerErrors++;
    }
  }
}
