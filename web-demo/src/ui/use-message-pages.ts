import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage, DemoClient } from '../adapters/client.js';

const PAGE = 30;

export interface MessagePages {
  readonly messages: readonly ChatMessage[];
  /** Whether the oldest message is loaded. */
  readonly exhausted: boolean;
  readonly loadOlder: () => Promise<void>;
  /** Re-reads now (after a send). */
  readonly refresh: () => void;
}

/**
 * A conversation's loaded messages, re-read whenever `version` changes: the newest page plus
 * every older page the user scrolled back to. One read at a time; changes during one cause
 * exactly one more (a burst of arrivals re-reads a few times, not once per message).
 */
export function useMessagePages(client: DemoClient, id: string, version: number, onError: (e: unknown) => void): MessagePages {
  const [messages, setMessages] = useState<readonly ChatMessage[]>([]);
  const [exhausted, setExhausted] = useState(false);
  const oldest = useRef<string | undefined>(undefined);
  const running = useRef(false);
  const again = useRef(false);
  const alive = useRef(true);
  const loadingOlder = useRef(false);
  const read = useCallback(async (): Promise<void> => {
    const latest = await client.page(id);
    let all = latest;
    while (oldest.current !== undefined && all.length > 0 && all[0]!.id > oldest.current) {
      const more = await client.page(id, all[0]!.id);
      if (more.length === 0) break;
      all = [...more, ...all];
    }
    if (!alive.current) return;
    if (oldest.current === undefined && latest.length < PAGE) setExhausted(true);
    setMessages(all);
  }, [client, id]);
  const refresh = useCallback((): void => {
    if (running.current) return void (again.current = true);
    running.current = true;
    void read()
      .catch(onError)
      .finally(() => {
        running.current = false;
        if (again.current && alive.current) {
          again.current = false;
          refresh();
        }
      });
  }, [read, onError]);
  useEffect(() => refresh(), [version, refresh]);
  useEffect(() => {
    alive.current = true;
    return () => void (alive.current = false);
  }, []);
  const loadOlder = useCallback(async (): Promise<void> => {
    const first = messages[0];
    if (first === undefined || exhausted || loadingOlder.current) return;
    loadingOlder.current = true;
    try {
      const more = await client.page(id, first.id);
      if (!alive.current) return;
      if (more.length === 0) setExhausted(true);
      const next = [...more, ...messages];
      oldest.current = next[0]?.id;
      setMessages(next);
    } finally {
      loadingOlder.current = false;
    }
  }, [client, id, messages, exhausted]);
  return { messages, exhausted, loadOlder, refresh };
}
