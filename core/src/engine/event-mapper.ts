import type { CrdtEvent } from '../ports/crdt.js';
import type { CallId, ConversationId, DocId, MessageId, UserId } from '../ids.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import type { FeedReader } from './feed-reader.js';
import { isUuid, uuidV7Time } from '../ids.js';
import { isAuthoredBy } from '../model/authored-id.js';
import { isRecord } from '../model/text.js';
import { dueTimers, isDue } from './due.js';
import { CONVS, CONV_STATE, parseConversationEntry } from '../model/conversation-state.js';
import { HIDDEN, parseHiddenMessage } from '../model/hidden-message.js';
import { BLOCKS } from '../model/contact.js';
import { CALL, CALLP, parseStoredShare, SHARE } from '../model/call.js';
import { DEL, MSG } from '../model/message.js';
import { REACT } from '../model/reaction.js';
import { RCPT } from '../model/receipt.js';

/**
 * Turns what a CRDT change touched into engine bookkeeping (HLC, chunk counts, my direct
 * conversations from `account:`) and app events. Runs for local and remote changes alike.
 */
/** The time a stored message becomes due (its id or its last edit beyond the skew bound), or null when it is due. */
function notDueAt(core: Core, value: unknown, key: string): number | null {
  const edited = isRecord(value) && typeof value.editedAt === 'string' ? uuidV7Time(value.editedAt) : 0;
  const at = Math.max(uuidV7Time(key), edited);
  return isDue(core, at) ? null : at;
}

export function createEventMapper(
  core: Core,
  reader: () => FeedReader,
  reevaluate: (c: ConversationId) => void,
  ensure: (doc: DocId) => Promise<LoadedDoc | undefined>,
) {
  const notDueUntil = (value: unknown, key: string): number | null => notDueAt(core, value, key);
  return (doc: LoadedDoc, event: CrdtEvent): void => {
    const ref = doc.ref;
    const emit = core.events.emit.bind(core.events);
    switch (ref.kind) {
      case 'profile':
        emit('profile', { user: ref.user });
        return;
      case 'contact':
        emit('contact', { user: ref.from === core.me ? ref.to : ref.from });
        return;
      case 'members':
        return;
      case 'account':
        for (const { collection, key } of event.keys) {
          if (!isUuid(key)) continue;
          if (collection === BLOCKS) emit('contact', { user: key as UserId });
          if (collection === CONVS) {
            const entry = parseConversationEntry(doc.crdt.get(CONVS, key));
            if (entry?.kind === 'direct' && entry.peer !== null && !core.directs.has(key as ConversationId)) {
              core.directs.set(key as ConversationId, entry.peer);
              reevaluate(key as ConversationId);
            }
          }
          if (collection === CONVS || collection === CONV_STATE) emit('conversation', { conversation: key as ConversationId });
          if (collection === HIDDEN) {
            const hidden = parseHiddenMessage(key, doc.crdt.get(HIDDEN, key));
            if (hidden !== null) emit('conversation', { conversation: hidden.conversation });
          }
        }
        return;
      case 'doc':
        return; // shared documents are the app's (ADR 0025), never engine CRDTs
      case 'feed':
        break;
    }
    const conversation = ref.conversation;
    for (const { collection, key } of event.keys) {
      if (!isUuid(key)) continue;
      switch (collection) {
        case MSG: {
          if (isAuthoredBy(key, ref.author)) core.hlc.observe(key);
          if (event.origin === 'remote') doc.msgCount = null;
          if (doc.crdt.get(DEL, key) !== undefined) break;
          const message = reader().message(doc, key);
          if (message !== null) emit(message.editedAt === null ? 'message' : 'messageEdited', { conversation, message });
          else if (notDueUntil(doc.crdt.get(MSG, key), key) !== null) {
            // ID-2: dated beyond the skew bound: shown (and announced) once the clock reaches it.
            // The timer holds the chunk's id, not the chunk: an evicted chunk is not pinned until
            // the record is due (ADR 0019); it is loaded again then if it was evicted meanwhile.
            const chunk = doc.id;
            const announce = (loaded: LoadedDoc | undefined): void => {
              const due = loaded === undefined ? null : reader().message(loaded, key);
              if (due !== null) emit(due.editedAt === null ? 'message' : 'messageEdited', { conversation, message: due });
            };
            dueTimers(core).schedule(chunk, key, notDueUntil(doc.crdt.get(MSG, key), key)!, () => {
              const live = core.docs.peek(chunk);
              if (live !== undefined) announce(live);
              // Storage failed: nothing to announce; the message shows when its chunk is next read.
              else void ensure(chunk).then(announce, () => undefined);
            });
          }
          // The key lost its value (not merely masked for a block, or invalid): a Yjs update whose
          // delete set applied while its new value waits for missing earlier changes of the same
          // author (a gap: found with changes a block used to refuse, seed 7/39).
          else if (doc.crdt.get(MSG, key) === undefined) emit('messageRetracted', { conversation, id: key as MessageId, author: ref.author });
          break;
        }
        case DEL:
          emit('messageDeleted', { conversation, id: key as MessageId, author: ref.author });
          break;
        case REACT:
          emit('reaction', { conversation, messageId: key as MessageId, user: ref.author });
          break;
        case RCPT:
          emit('receipt', { conversation, user: ref.author });
          break;
        case CALL:
        case CALLP:
          emit('call', { conversation, call: key as CallId });
          if (collection === CALL && !isDue(core, uuidV7Time(key))) dueTimers(core).schedule(doc.id, `${CALL}/${key}`, uuidV7Time(key), () => emit('call', { conversation, call: key as CallId }));
          break;
        case SHARE: {
          const share = parseStoredShare(key, doc.crdt.get(SHARE, key));
          if (share !== null) emit('call', { conversation, call: share.call });
          break;
        }
      }
    }
  };
}
