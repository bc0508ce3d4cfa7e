import type { CallId, ConversationId, DocId, MessageId, UserId } from '../ids.js';
import type { Message } from '../model/message.js';

/** What the app can subscribe to with `kith.on(name, listener)`. Local and remote changes alike. */
export interface KithEvents {
  message: { readonly conversation: ConversationId; readonly message: Message };
  messageEdited: { readonly conversation: ConversationId; readonly message: Message };
  messageDeleted: { readonly conversation: ConversationId; readonly id: MessageId; readonly author: UserId };
  /** A message already shown is gone entirely (no tombstone; `get` returns null): a removal's
   *  cutoff, learned late, excludes it. Drop it from any view or cache. */
  messageRetracted: { readonly conversation: ConversationId; readonly id: MessageId; readonly author: UserId };
  reaction: { readonly conversation: ConversationId; readonly messageId: MessageId; readonly user: UserId };
  receipt: { readonly conversation: ConversationId; readonly user: UserId };
  membership: { readonly conversation: ConversationId };
  call: { readonly conversation: ConversationId; readonly call: CallId };
  contact: { readonly user: UserId };
  profile: { readonly user: UserId };
  conversation: { readonly conversation: ConversationId };
  /** A change from `author` could not be read and was quarantined (SBX-7): "a message from X
   *  could not be read". Its later changes that depend on it stay hidden. */
  quarantined: { readonly conversation: ConversationId | null; readonly doc: DocId; readonly author: UserId; readonly reason: string };
}
export type KithEventName = keyof KithEvents;
export type KithListener<K extends KithEventName> = (event: KithEvents[K]) => void;

export interface EventHub {
  on<K extends KithEventName>(name: K, listener: KithListener<K>): () => void;
  emit<K extends KithEventName>(name: K, event: KithEvents[K]): void;
  /** While muted (restoring from storage), events are dropped. */
  muted: boolean;
}

export function createEventHub(onListenerError: (error: unknown) => void): EventHub {
  const listeners = new Map<KithEventName, Set<(event: never) => void>>();
  const hub: EventHub = {
    muted: false,
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      const fn = listener as (event: never) => void;
      set.add(fn);
      return () => void set.delete(fn);
    },
    emit(name, event) {
      if (hub.muted) return;
      for (const fn of listeners.get(name) ?? []) {
        try {
          (fn as (e: typeof event) => void)(event);
        } catch (error) {
          // A throwing app listener must not break replication.
          onListenerError(error);
        }
      }
    },
  };
  return hub;
}
