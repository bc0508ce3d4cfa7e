import { KithError } from '../errors.js';
import { checkRotationPolicy } from '../crypto/epoch-planner.js';
import type { SyncClientOptions } from './sync-types.js';

/** Refuses options a sync client must not run with (throws `invalid_argument`). */
export function checkSyncOptions(options: SyncClientOptions): void {
  if (options.vet === undefined && options.kith.backend === 'yjs' && options.unsafeNoDecodeSandbox !== true) {
    // H4 (SYNC-15): fail closed. Yjs can hang on a crafted update; every update from another
    // person must be decoded in the sandbox first.
    throw new KithError('invalid_argument', 'a sync client on the Yjs backend needs `vet` (vetWithSandbox); `unsafeNoDecodeSandbox: true` turns this off (tests only)');
  }
  if (options.rotation !== undefined) {
    const policy = checkRotationPolicy(options.rotation);
    if (!policy.ok) throw policy.error;
  }
}
