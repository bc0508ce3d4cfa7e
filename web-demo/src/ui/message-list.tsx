import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { CallLogEntry, ChatMessage } from '../adapters/client.js';
import { formatDay } from '../format.js';
import { useClient } from './client-context.js';
import { MessageBubble } from './message-bubble.js';
import { CallLogItem, ScreenShareItem } from './call-log-item.js';
import type { MessagePages } from './use-message-pages.js';

/** Consecutive messages of one author within 5 minutes are grouped (one author line, tighter spacing). */
function followsFromSameAuthor(messages: readonly ChatMessage[], i: number): boolean {
  const m = messages[i];
  const prev = messages[i - 1];
  return m !== undefined && prev !== undefined && prev.author === m.author && m.sentAt - prev.sentAt < 5 * 60_000 && formatDay(prev.sentAt) === formatDay(m.sentAt);
}

type Entry = { readonly at: number; readonly key: string; readonly node: () => ReactNode };

/** The history: day separators, messages and call log entries in time order; scrolls back for older pages. */
export function MessageList(props: {
  readonly id: string;
  readonly pages: MessagePages;
  /** Changes when the user sends: follow the newest message again. */
  readonly follow: number;
  readonly onReply: (m: ChatMessage) => void;
  readonly onEdit: (m: ChatMessage) => void;
  readonly onError: (e: unknown) => void;
}): ReactNode {
  const { id, pages, onError } = props;
  const client = useClient();
  const list = useRef<HTMLOListElement>(null);
  // Whether the list follows its newest message (the user has not scrolled up).
  const stick = useRef(true);
  const lastTop = useRef(0);
  // The scroll height before older messages were put on top (kept in place).
  const heightBefore = useRef<number | null>(null);
  const [pickerFor, setPickerFor] = useState<string | null>(null);
  const { messages, exhausted } = pages;

  const from = exhausted ? 0 : (messages[0]?.sentAt ?? Infinity);
  const calls: readonly CallLogEntry[] = client.callLog(id).filter((c) => c.startedAt >= from);
  const entries: Entry[] = [
    ...messages.map((m, i): Entry => ({
      at: m.sentAt,
      key: m.id,
      node: () => (
        <MessageBubble key={m.id} conversation={id} message={m} grouped={followsFromSameAuthor(messages, i)} pickerOpen={pickerFor === m.id} onTogglePicker={() => setPickerFor(pickerFor === m.id ? null : m.id)} onReacted={() => setPickerFor(null)} onReply={props.onReply} onEdit={props.onEdit} onError={onError} onImageLoad={() => followIfStuck()} />
      ),
    })),
    ...client
      .groupEvents(id)
      .filter((e) => e.at >= from)
      .map((e): Entry => ({
        at: e.at,
        key: `system-${e.id}`,
        node: () => (
          <li key={`system-${e.id}`} className="system" data-system="">
            {e.text}
          </li>
        ),
      })),
    ...calls.flatMap((c): Entry[] => [
      { at: c.startedAt, key: `call-${c.id}`, node: () => <CallLogItem key={`call-${c.id}`} call={c} /> },
      ...c.screenShares.map((s, i): Entry => ({ at: s.startedAt, key: `share-${c.id}-${i}`, node: () => <ScreenShareItem key={`share-${c.id}-${i}`} share={s} /> })),
    ]),
  ].sort((a, b) => a.at - b.at);
  const items: ReactNode[] = [];
  let day = '';
  for (const e of entries) {
    const d = formatDay(e.at);
    if (d !== day) {
      day = d;
      items.push(
        <li key={`day-${d}`} className="day" role="separator">
          {d}
        </li>,
      );
    }
    items.push(e.node());
  }

  const followIfStuck = (): void => {
    const el = list.current;
    if (el !== null && stick.current) el.scrollTop = el.scrollHeight;
  };
  useLayoutEffect(() => {
    stick.current = true;
  }, [props.follow]);
  useLayoutEffect(() => {
    const el = list.current;
    if (el === null) return;
    if (heightBefore.current !== null) {
      el.scrollTop = el.scrollHeight - heightBefore.current;
      heightBefore.current = null;
    } else if (stick.current) el.scrollTop = el.scrollHeight;
  });

  const loadOlder = (): void => {
    if (list.current !== null) heightBefore.current = list.current.scrollHeight;
    void pages.loadOlder().catch(onError);
  };
  const onScroll = (): void => {
    const el = list.current;
    if (el === null) return;
    // Follow the newest message until the user scrolls up; scrolling back down to the bottom
    // follows again. (Our own scrolls only go down, so a late event from one never unsticks.)
    const near = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < lastTop.current) stick.current = near;
    else if (near) stick.current = true;
    lastTop.current = el.scrollTop;
    if (el.scrollTop < 20 && !exhausted && messages.length > 0) loadOlder();
  };
  // Up/Down move between messages (each then shows its actions, reachable with Tab).
  const onKeyDown = (e: KeyboardEvent<HTMLOListElement>): void => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    const el = list.current;
    if (el === null) return;
    const all = Array.from(el.querySelectorAll<HTMLElement>('.msg'));
    if (all.length === 0) return;
    const current = document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('.msg') : null;
    const at = current === null ? all.length : all.indexOf(current);
    const next = all[Math.max(0, Math.min(all.length - 1, at + (e.key === 'ArrowUp' ? -1 : 1)))];
    e.preventDefault();
    next?.focus();
  };
  return (
    <ol className="messages" aria-label="Messages" tabIndex={0} ref={list} onScroll={onScroll} onKeyDown={onKeyDown}>
      {!exhausted && messages.length > 0 && (
        <li className="load-more">
          <button type="button" className="link" onClick={loadOlder}>
            Load earlier messages
          </button>
        </li>
      )}
      {items}
      {messages.length === 0 && <li className="empty">No messages yet. Say hi!</li>}
    </ol>
  );
}
