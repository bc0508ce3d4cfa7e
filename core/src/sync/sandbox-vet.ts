import { fail, ok, type Result } from '../errors.js';
import type { DocId, UserId } from '../ids.js';
import type { DocChange } from '../protocol/doc-change.js';
import type { VetChange } from './sync-types.js';
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
export function vetWithSandbox(sandbox: DecodeSandbox, me: UserId): VetChange {
  const one = async (change: DocChange): Promise<Result<void>> => {
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
  /**
   * BATCH-10: the updates of one range (one document, one author: an envelope's) in one sandbox
   * round trip; anything else (a snapshot, a change that needs no vetting) goes through `one`.
   */
  const range = async (changes: readonly DocChange[]): Promise<Array<Result<void>>> => {
    const first = changes[0];
    const sameRange = first !== undefined && changes.every((c) => c.kind === 'update' && c.doc === first.doc && c.author === first.author);
    if (!sameRange || changes.length === 1 || first.author === me) return Promise.all(changes.map(one));
    const ref = parseDocRef(first.doc);
    if (ref?.kind === 'doc' && !ref.mode.yjs) return changes.map(() => ok(undefined));
    const scope = ref?.kind === 'doc' ? undefined : updateScopeOf(first.doc);
    const results = await sandbox.checkRange(first.doc, first.author, changes.map((c) => c.payload), 'yjs-v1', scope);
    return results.map((r) => (r.ok ? ok(undefined) : r));
  };
  return Object.assign(one, { range });
}
