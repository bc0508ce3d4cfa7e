import { useEffect } from 'react';
import type { DemoClient } from '../adapters/client.js';

/** The page title counts unread messages in chats that are not muted: "(3) Kith". */
export function useUnreadTitle(client: DemoClient): void {
  const unread = client
    .chats()
    .filter((c) => !c.muted)
    .reduce((n, c) => n + c.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Kith` : 'Kith';
  }, [unread]);
}
