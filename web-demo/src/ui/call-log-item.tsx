import type { ReactNode } from 'react';
import type { CallLogEntry } from '../adapters/client.js';
import { formatDuration, formatTime } from '../format.js';

/** A call in the history: direction, kind, outcome, duration. */
export function CallLogItem({ call: c }: { readonly call: CallLogEntry }): ReactNode {
  const label = `${c.outgoing ? 'Outgoing' : 'Incoming'} ${c.kind} call`;
  const duration = c.durationMs === null ? '' : ` · ${formatDuration(c.durationMs)}`;
  return (
    <li className={`call-log ${c.status}`} data-call-status={c.status}>
      {c.kind === 'video' ? '🎥 ' : '📞 '}
      {`${label} · ${c.status}${duration} · ${formatTime(c.startedAt)}`}
    </li>
  );
}

/** A screen share during a call: who, how long. */
export function ScreenShareItem({ share: s }: { readonly share: CallLogEntry['screenShares'][number] }): ReactNode {
  const d = s.durationMs === null ? ' · sharing now' : ` · ${formatDuration(s.durationMs)}`;
  return (
    <li className="call-log share" data-screen-share={s.durationMs === null ? 'live' : 'ended'}>
      {'🖥️ '}
      {`${s.by} shared the screen${d} · ${formatTime(s.startedAt)}`}
    </li>
  );
}
