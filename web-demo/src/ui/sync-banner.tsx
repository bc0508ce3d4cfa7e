import type { ReactNode } from 'react';
import { useClient } from './client-context.js';

const TEXT: Record<string, string> = {
  offline: 'You are offline — messages will be sent when you reconnect.',
  connecting: 'Connecting…',
  gap: 'Some messages may be missing — still fetching them from the relay.',
};

/** The connection banner: offline, connecting, or a gap being filled; hidden when up to date. */
export function SyncBanner(): ReactNode {
  const state = useClient().syncState();
  const text = TEXT[state] ?? '';
  return (
    <div className="banner" role="status" id="sync-banner" data-state={state} hidden={text === ''}>
      {text}
    </div>
  );
}
