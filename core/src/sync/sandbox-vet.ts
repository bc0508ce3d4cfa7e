import { fail, ok, type Result } from '../errors.js';
import type { DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import { decodeSnapshotBody } from '../protocol/snapshot-body.js';
import type { DecodeSandbox } from '../sandbox/decode-sandbox.js';
import type { UpdateScope } from '../sandbox/sandbox-protocol.js';
import { CALL, CALLP, SHARE } from '../model/call.js';
import { CONV_STATE, CONVS } from '../model/conversation-state.js';
import { BLOCKS, REQ } from '../model/contact.js';
import { HIDDEN } from '../model/hidden-message.js';
import { DEL, MSG } from '../model/message.js';
import { PROFILE } from '../model/profile.js';
import { docKindOf, parseDocRef } from '../model/doc-ids.js';
import { REACT } from '../model/reaction.js';
import { RCPT } from '../model/receipt.js';

/**
 * H4 / SBX-5: the collections an author may write in a document (ADR 0001 § Documents). Values
 * may be nested JSON, so only the roots are enforced (`flat: false`). Unknown kinds get no roots.
 */
export function updateScopeOf(doc: DocId): UpdateScope {
  const kind = docKindOf(doc);
  const roots =
    kind === 'feed' ? [MSG, DEL, REACT, RCPT, CALL, CALLP, SHARE] : kind === 'profile' ? [PROFILE] : kind === 'account' ? [BLOCKS, CONV_STATE, CONVS, HIDDEN] : kind === 'contact' ? [REQ] : [];
  return { roots, flat: false };
}

/**
 * The `vet` hook of the sync client for the Yjs backend (SBX-1): every `update` from another
 * person is decoded first in the sandbox's worker, within the author's scope (SBX-5); only
 * accepted updates reach the engine; a snapshot's state is checked the same way (SNAP-3). The account's own changes (any of its devices) are trusted.
 * Automerge needs no sandbox (docs/shared NOTES: no hangs under the mutation probe), so it is not vetted.
 */
export function vetWithSandbox(sandbox: DecodeSandbox, me: UserId): (change: DocChange) => Promise<Result<void>> {
  return async (change) => {
    if (change.kind === 'member' || change.author === me) return ok(undefined);
    // ADR 0025: a shared document's roots are the app's (no scope); an Automerge one is not Yjs.
    const ref = parseDocRef(change.doc);
    if (ref?.kind === 'doc' && !ref.mode.yjs) return ok(undefined);
    const scope = ref?.kind === 'doc' ? undefined : updateScopeOf(change.doc);
    // SNAP-3: a snapshot's state is a Yjs update like any other; an undecodable body is refused.
    const body = change.kind === 'snapshot' ? decodeSnapshotBody(change.payload) : undefined;
    if (body === null) return fail('malformed', 'undecodable snapshot body');
    const r = await sandbox.check(change.doc, change.author, body?.state ?? change.payload, 'yjs-v1', scope);
    return r.ok ? ok(undefined) : r;
  };
}
