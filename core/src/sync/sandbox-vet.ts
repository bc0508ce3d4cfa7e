import { ok, type Result } from '../errors.js';
import type { UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { DecodeSandbox } from '../sandbox/decode-sandbox.js';

/**
 * The `vet` hook of the sync client for the Yjs backend (SBX-1): every `update` from another
 * person is decoded first in the sandbox's worker; only accepted updates reach the engine.
 * The account's own changes (any of its devices) are trusted. Automerge needs no sandbox
 * (docs/shared NOTES: no hangs under the mutation probe), so it is not vetted.
 */
export function vetWithSandbox(sandbox: DecodeSandbox, me: UserId): (change: DocChange) => Promise<Result<void>> {
  return async (change) => {
    if (change.kind !== 'update' || change.author === me) return ok(undefined);
    const r = await sandbox.check(change.doc, change.author, change.payload, 'yjs-v1');
    return r.ok ? ok(undefined) : r;
  };
}
