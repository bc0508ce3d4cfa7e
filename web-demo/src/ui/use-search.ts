import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSearchRow } from '@kith/core';
import type { DemoClient } from '../adapters/client.js';

export interface SearchState {
  /** The ids of the chats that match, or null when there is no query (show every chat). */
  readonly chats: ReadonlySet<string> | null;
  readonly messages: readonly MessageSearchRow[];
  /** Whether another page of messages may follow. */
  readonly more: boolean;
  readonly loadMore: () => void;
}

const PAGE = 20;

/**
 * Chat and message search for `text` (the SDK's searchChats / searchMessages over the
 * projection), re-run when the client's state changes (`version`): a message edited away stops
 * showing. Only the newest request's answer is kept (typing fast does not show old results).
 */
export function useSearch(client: DemoClient, text: string, version: number, onError: (e: unknown) => void): SearchState {
  const [chats, setChats] = useState<ReadonlySet<string> | null>(null);
  const [messages, setMessages] = useState<readonly MessageSearchRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const pages = useRef(1);
  const asked = useRef(0);
  const query = text.trim();
  useEffect(() => void (pages.current = 1), [query]);
  const read = useCallback(async (): Promise<void> => {
    const ticket = ++asked.current;
    if (query === '') {
      setChats(null);
      setMessages([]);
      setNext(null);
      return;
    }
    const ids = await client.searchChats(query);
    const found: MessageSearchRow[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < pages.current; i++) {
      const page = await client.searchMessages(query, cursor === null ? { limit: PAGE } : { limit: PAGE, before: cursor });
      found.push(...page.messages);
      cursor = page.next;
      if (cursor === null) break;
    }
    if (ticket !== asked.current) return;
    setChats(new Set(ids));
    setMessages(found);
    setNext(cursor);
  }, [client, query]);
  useEffect(() => void read().catch(onError), [read, version, onError]);
  const loadMore = useCallback((): void => {
    pages.current++;
    void read().catch(onError);
  }, [read, onError]);
  return { chats, messages, more: next !== null, loadMore };
}

/**
 * Once the conversation is open, brings message `id` into view: loads earlier pages (the
 * list's own "Load earlier messages") until the message is there, scrolls to it, focuses it
 * and marks it (data-search-hit), then calls `done`. Gives up after `maxPages` pages.
 */
export function useJumpToMessage(target: { readonly id: string } | null, done: () => void, maxPages = 100): void {
  useEffect(() => {
    if (target === null) return;
    let loads = 0;
    let finished = false;
    // Messages shown when "Load earlier" was last clicked: click again once more have come.
    let shownAtClick = -1;
    const attempt = (): void => {
      if (finished) return;
      const el = document.querySelector<HTMLElement>(`.messages [data-id="${CSS.escape(target.id)}"]`);
      if (el !== null) {
        finished = true;
        observer.disconnect();
        document.querySelectorAll('[data-search-hit]').forEach((old) => old.removeAttribute('data-search-hit'));
        el.setAttribute('data-search-hit', '');
        el.focus({ preventScroll: true });
        show(el);
        return;
      }
      const earlier = document.querySelector<HTMLButtonElement>('.messages .load-more button');
      const shown = document.querySelectorAll('.messages [data-id]').length;
      if (earlier !== null && shown > 0 && shown > shownAtClick && loads < maxPages) {
        loads++;
        shownAtClick = shown;
        earlier.click();
      }
    };
    // The list keeps to its newest message while the reader is at the bottom: a scroll event
    // tells it the reader moved up, and for a moment (until the reader scrolls, types or
    // clicks) the message is brought back if a late re-render scrolled it away.
    let raf = 0;
    let until = 0;
    let list: HTMLElement | null = null;
    const stop = (): void => void (until = 0);
    const show = (el: HTMLElement): void => {
      if (list === null) {
        list = el.closest<HTMLElement>('.messages');
        until = performance.now() + 2000;
        for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown']) list?.addEventListener(type, stop, { once: true, passive: true });
      }
      const box = list?.getBoundingClientRect();
      const at = el.getBoundingClientRect();
      if (list === null || box === undefined || at.top < box.top || at.bottom > box.bottom) {
        el.scrollIntoView({ block: 'center' });
        list?.dispatchEvent(new Event('scroll'));
      }
      // Done (the caller clears the target, which ends this effect) once the moment is over.
      if (performance.now() < until && el.isConnected) raf = requestAnimationFrame(() => show(el));
      else done();
    };
    const observer = new MutationObserver(attempt);
    observer.observe(document.body, { childList: true, subtree: true });
    attempt();
    return () => {
      observer.disconnect();
      cancelAnimationFrame(raf);
      for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown']) list?.removeEventListener(type, stop);
    };
  }, [target, done, maxPages]);
}
