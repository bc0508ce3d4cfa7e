import { KithError } from '../errors.js';
import { checkRotationPolicy } from '../crypto/epoch-planner.js';
import { MAX_BATCH_CHANGES } from './outgoing-sealer.js';
import type { SyncClientOptions } from './sync-types.js';

/** Refuses options a sync client must not run with (throws `invalid_argument`). */
export function checkSyncOptions(options: SyncClientOptions): void {
  if (options.vet === undefined && options.kith.backend === 'yjs' && options.unsafeNoDecodeSandbox !== true) {
    // H4 (SYNC-15): fail closed. Yjs can hang on a crafted update; every update from another
    // person must be decoded in the sandbox first.
    throw new KithError('invalid_argument', 'a sync client on the Yjs backend needs `vet` (vetWithSandbox); `unsafeNoDecodeSandbox: true` turns this off (tests only)');
  }
  const b = options.maxBatch;
  if (b !== undefined && (!Number.isInteger(b) || b < 1 || b > MAX_BATCH_CHANGES)) {
    throw new KithError('invalid_argument', `maxBatch is an integer from 1 to ${MAX_BATCH_CHANGES}`);
  }
  if (options.rotation !== undefined) {
    const policy = checkRotationPolicy(options.rotation);
    if (!policy.ok) throw policy.error;
  }
}
