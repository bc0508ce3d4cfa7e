// @vitest-environment jsdom
import { act, memo } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatListRow } from '@kith/core';
import type { PeerHarness } from '@kith/core/testing';
import { KithProvider, useChatList } from './index.js';
import { createPeople, createRenderCounter, mount, projectionFor, settleUntil, type Mounted } from './test-kit.js';

describe('useChatList (REACT-2)', () => {
  let h: PeerHarness | undefined;
  let view: Mounted | undefined;
  afterEach(async () => {
    await view?.unmount();
    await h?.close();
  });

  it('a new message re-renders its own row and no other', async () => {
    h = await createPeople();
    const alice = h.peer('alice');
    const withBob = await alice.conversations.openDirect(h.user('bob'));
    const withCarol = await alice.conversations.openDirect(h.user('carol'));
    const group = await alice.groups.create({ name: 'Trip', members: [h.user('bob'), h.user('carol')] });
    await alice.messages.send(withBob.id, 'hi bob');
    await alice.messages.send(withCarol.id, 'hi carol');
    await alice.messages.send(group.id, 'hi all');
    await h.flush();
    const projection = await projectionFor(alice, 'alice-chat-list');

    const renders = createRenderCounter();
    let latest: readonly ChatListRow[] | undefined;
    const Row = memo(function Row({ row }: { row: ChatListRow }) {
      renders.hit(row.id);
      return (
        <li data-id={row.id}>
          {row.title}: {row.lastBody} ({row.unread})
        </li>
      );
    });
    function ChatList() {
      const rows = useChatList();
      latest = rows;
      renders.hit('list');
      return <ul>{rows?.map((r) => <Row key={r.id} row={r} />)}</ul>;
    }
    view = await mount(
      <KithProvider kith={alice} projection={projection}>
        <ChatList />
      </KithProvider>,
    );
    await settleUntil(() => latest?.length === 3, 'three chats listed');
    expect(latest!.map((r) => r.lastBody).sort()).toEqual(['hi all', 'hi bob', 'hi carol']);
    renders.reset();

    h.clock.advance(60_000);
    await act(async () => {
      const bobChat = await h!.peer('bob').conversations.openDirect(h!.user('alice'));
      await h!.peer('bob').messages.send(bobChat.id, 'hello alice');
      await h!.flush();
    });
    await settleUntil(() => latest?.find((r) => r.id === withBob.id)?.lastBody === 'hello alice', "bob's message in his row");

    const bobRow = latest!.find((r) => r.id === withBob.id)!;
    expect(bobRow.unread).toBe(1);
    expect(latest![0]!.id).toBe(withBob.id); // most recent activity first
    expect(renders.count(withBob.id)).toBeGreaterThan(0);
    expect(renders.count(withCarol.id)).toBe(0);
    expect(renders.count(group.id)).toBe(0);
    expect(view.container.textContent).toContain('hello alice');
  });

  it('needs a projection', async () => {
    h = await createPeople();
    const alice = h.peer('alice');
    function ChatList() {
      useChatList();
      return null;
    }
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent): void => {
      errors.push(e.error);
      e.preventDefault();
    };
    window.addEventListener('error', onError);
    try {
      await expect(
        (async () => {
          view = await mount(
            <KithProvider kith={alice}>
              <ChatList />
            </KithProvider>,
          );
        })(),
      ).rejects.toThrow('useChatList needs <KithProvider projection');
    } finally {
      window.removeEventListener('error', onError);
    }
  });
});
