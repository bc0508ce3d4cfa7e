import type { ReactNode } from 'react';
import type { MessageSearchRow } from '@kith/core';
import { formatTime } from '../format.js';
import { useClient } from './client-context.js';
import type { SearchState } from './use-search.js';

/** Message search results: conversation, author, time and a snippet with the match marked; a click opens the conversation at it. */
export function SearchResults({ search, onOpen }: { readonly search: SearchState; readonly onOpen: (conversation: string, message: string) => void }): ReactNode {
  const client = useClient();
  const names = new Map(client.contacts().map((c) => [c.user, c.displayName || c.username]));
  const author = (m: MessageSearchRow): string => (m.senderId === client.me.user ? 'You' : names.get(m.senderId) || m.username || 'Someone');
  const chatOf = (id: string): { name: string; group: boolean } => {
    try {
      const c = client.chat(id);
      return { name: c.name, group: c.kind === 'group' };
    } catch {
      return { name: 'Chat', group: true };
    }
  };
  return (
    <section className="search-results" aria-label="Messages found">
      <h3 style={{ fontSize: '0.8rem', margin: '0.75rem 0.75rem 0.25rem', opacity: 0.7 }}>Messages</h3>
      {search.messages.length === 0 ? (
        <p className="empty">No messages found.</p>
      ) : (
        <ul className="chat-list" aria-label="Message results">
          {search.messages.map((m) => {
            const chat = chatOf(m.conversationId);
            // A group names the author after the chat; a direct chat only says when it was me.
            const by = chat.group ? ` · ${author(m)}` : '';
            const mine = !chat.group && m.senderId === client.me.user ? 'You: ' : '';
            return (
            <li key={m.id}>
              <button type="button" className="chat-item search-hit" data-result={m.id} onClick={() => onOpen(m.conversationId, m.id)}>
                <span className="chat-text">
                  <span className="chat-name">
                    {chat.name}
                    {by !== '' && <span className="search-author">{by}</span>}
                  </span>
                  <span className="chat-preview">
                    {mine}
                    <Snippet body={m.body} matches={m.matches} />
                  </span>
                </span>
                <span className="chat-meta">
                  <time>{formatTime(m.createdAt)}</time>
                </span>
              </button>
            </li>
            );
          })}
        </ul>
      )}
      {search.more && (
        <button type="button" className="link" onClick={search.loadMore}>
          More results
        </button>
      )}
    </section>
  );
}

const BEFORE = 30;
const LENGTH = 140;

/** The text around the first match, matches in <mark>. */
export function Snippet({ body, matches }: { readonly body: string; readonly matches: ReadonlyArray<readonly [number, number]> }): ReactNode {
  const first = matches[0]?.[0] ?? 0;
  // Window edges never split a surrogate pair (an emoji).
  const low = (i: number): boolean => i > 0 && i < body.length && /[\udc00-\udfff]/.test(body[i] ?? '');
  let from = first > BEFORE ? first - BEFORE : 0;
  if (low(from)) from--;
  let to = Math.min(body.length, from + LENGTH);
  if (low(to)) to++;
  const parts: ReactNode[] = [];
  let at = from;
  for (const [s, e] of matches) {
    if (e <= at || s >= to) continue;
    const start = Math.max(s, at);
    if (start > at) parts.push(body.slice(at, start));
    parts.push(<mark key={start}>{body.slice(start, Math.min(e, to))}</mark>);
    at = Math.min(e, to);
  }
  if (at < to) parts.push(body.slice(at, to));
  return (
    <>
      {from > 0 && '…'}
      {parts}
      {to < body.length && '…'}
    </>
  );
}
