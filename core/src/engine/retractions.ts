import type { CallId, ConversationId, MessageId } from '../ids.js';
import type { Core } from './core.js';
import type { LoadedDoc } from './doc-registry.js';
import { CALL, CALLP, parseStoredShare, SHARE } from '../model/call.js';
import { MSG } from '../model/message.js';
import { REACT } from '../model/reaction.js';
import { RCPT } from '../model/receipt.js';

/** The keys a feed chunk showed before a replay, per collection that has an event. */
export interface ShownKeys {
  readonly messages: readonly string[];
  readonly reactions: readonly string[];
  readonly receipts: boolean;
  /** Calls touched by the chunk's `call`, `callp` and `share` entries. */
  readonly calls: ReadonlySet<string>;
}

function callsOf(doc: LoadedDoc): Set<string> {
  const calls = new Set([...doc.crdt.keys(CALL), ...doc.crdt.keys(CALLP)]);
  for (const [key, raw] of doc.crdt.entries(SHARE)) {
    const share = parseStoredShare(key, raw);
    if (share !== null) calls.add(share.call);
  }
  return calls;
}

export function shownKeys(doc: LoadedDoc): ShownKeys {
  return { messages: doc.crdt.keys(MSG), reactions: doc.crdt.keys(REACT), receipts: doc.crdt.keys(RCPT).length > 0, calls: callsOf(doc) };
}

/**
 * After a chunk was replayed without the changes a removal's cutoff excludes: the replay itself
 * emits events for what it applied, so only what vanished entirely needs one — messages
 * (`messageRetracted`), reactions, receipts and call entries whose key no kept change wrote.
 */
export function emitRetracted(core: Core, conversation: ConversationId, doc: LoadedDoc, before: ShownKeys): void {
  if (doc.ref.kind !== 'feed') return;
  const author = doc.ref.author;
  const emit = core.events.emit.bind(core.events);
  const keptMessages = new Set(doc.crdt.keys(MSG));
  for (const id of before.messages) if (!keptMessages.has(id)) emit('messageRetracted', { conversation, id: id as MessageId, author });
  const keptReactions = new Set(doc.crdt.keys(REACT));
  for (const id of before.reactions) if (!keptReactions.has(id)) emit('reaction', { conversation, messageId: id as MessageId, user: author });
  if (before.receipts && doc.crdt.keys(RCPT).length === 0) emit('receipt', { conversation, user: author });
  const keptCalls = callsOf(doc);
  for (const id of before.calls) if (!keptCalls.has(id)) emit('call', { conversation, call: id as CallId });
}
