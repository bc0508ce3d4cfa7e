import { parseConversationId, type Clock, type ConversationId, type Kith, type SignalEvent, type UserId } from '@kith/core';

/**
 * Who is typing where, from `typing` signals (SYNC-7; payload = the conversation id in UTF-8,
 * REACT-1). Other people's bytes are hostile: a signal counts only when its payload is a
 * conversation id this device knows and its sender is another member of it. Each entry expires
 * `ttlMs` after the last signal, on the injected clock.
 */
export interface TypingRegistry {
  /** Users typing in `conversation`, sorted, the same array until it changes. */
  get(conversation: ConversationId): readonly UserId[];
  subscribe(conversation: ConversationId, listener: () => void): () => void;
  onSignal(event: SignalEvent): void;
  /** Forget everyone and cancel the timers. */
  clear(): void;
}

const EMPTY: readonly UserId[] = Object.freeze([]);
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The other members of a conversation this device knows, or empty. */
export function otherMembers(kith: Kith, conversation: ConversationId): UserId[] {
  try {
    const c = kith.conversations.get(conversation);
    if (c.kind === 'direct') return c.peer === null ? [] : [c.peer];
    return kith.groups
      .members(conversation)
      .map((m) => m.user)
      .filter((u) => u !== kith.user);
  } catch {
    return [];
  }
}

export function createTypingRegistry(kith: Kith, clock: Clock, ttlMs: number): TypingRegistry {
  const typers = new Map<ConversationId, Map<UserId, () => void>>();
  const snapshots = new Map<ConversationId, readonly UserId[]>();
  const listeners = new Map<ConversationId, Set<() => void>>();
  const changed = (conv: ConversationId): void => {
    const who = typers.get(conv);
    snapshots.set(conv, who === undefined || who.size === 0 ? EMPTY : Object.freeze([...who.keys()].sort()));
    for (const l of [...(listeners.get(conv) ?? [])]) l();
  };
  const parsePayload = (payload: Uint8Array): ConversationId | null => {
    if (payload.length > 256) return null;
    try {
      return parseConversationId(decoder.decode(payload));
    } catch {
      return null;
    }
  };
  return {
    get: (conv) => snapshots.get(conv) ?? EMPTY,
    subscribe(conv, listener) {
      let set = listeners.get(conv);
      if (set === undefined) listeners.set(conv, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(conv);
      };
    },
    onSignal(event) {
      if (event.kind !== 'typing') return;
      const conv = parsePayload(event.payload);
      if (conv === null || !otherMembers(kith, conv).includes(event.from)) return;
      let who = typers.get(conv);
      if (who === undefined) typers.set(conv, (who = new Map<UserId, () => void>()));
      const known = who.has(event.from);
      who.get(event.from)?.();
      who.set(
        event.from,
        clock.setTimer(ttlMs, () => {
          who.delete(event.from);
          changed(conv);
        }),
      );
      if (!known) changed(conv);
    },
    clear() {
      for (const [conv, who] of typers) {
        for (const cancel of who.values()) cancel();
        who.clear();
        changed(conv);
      }
      typers.clear();
    },
  };
}
