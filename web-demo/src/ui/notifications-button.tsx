import { useState, type ReactNode } from 'react';

/** Asks for permission to show notifications — on the user's click, as browsers require. Hidden once answered. */
export function NotificationsButton(): ReactNode {
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'denied' : Notification.permission));
  if (permission !== 'default') return null;
  return (
    <button type="button" className="ghost" id="enable-notifications" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Enable notifications
    </button>
  );
}
