import { useEffect } from 'react';
import type { DemoClient } from '../adapters/client.js';

/**
 * A system notification for each new message from someone else while the tab is hidden, when
 * the user allowed them (asked on a click: NotificationsButton). Muted chats stay quiet;
 * clicking a notification focuses the tab and opens its chat.
 */
export function useMessageNotifications(client: DemoClient, open: (conversation: string) => void): void {
  useEffect(
    () =>
      client.onIncoming((m) => {
        if (m.muted || document.visibilityState !== 'hidden' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
        const title = m.chatName === m.authorName ? m.authorName : `${m.authorName} in ${m.chatName}`;
        const n = new Notification(title, { body: m.text, tag: m.conversation });
        n.onclick = () => {
          window.focus();
          open(m.conversation);
          n.close();
        };
      }),
    [client, open],
  );
}
