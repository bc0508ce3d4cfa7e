// @vitest-environment jsdom
import { act, memo } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId, Message } from '@kith/core';
import type { PeerHarness } from '@kith/core/testing';
import { KithProvider, useMessages, type UseMessagesResult } from './index.js';
import { createPeople, createRenderCounter, mount, settleUntil, type Mounted } from './test-kit.js';

describe.each(['yjs', 'automerge'] as const)('useMessages on %s (REACT-2)', (backend) => {
  let h: PeerHarness | undefined;
  let view: Mounted | undefined;
  afterEach(async () => {
    await view?.unmount();
    await h?.close();
  });

  it('pages back, follows new, edited, deleted messages, and re-renders only the changed row', async () => {
    h = await createPeople(backend);
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const chat = await alice.conversations.openDirect(h.user('bob'));
    for (let i = 1; i <= 7; i++) {
      h.clock.advance(1000);
      await alice.messages.send(chat.id, `m${i}`);
    }
    await h.flush();

    const renders = createRenderCounter();
    let latest: UseMessagesResult | undefined;
    const Row = memo(function Row({ m }: { m: Message }) {
      renders.hit(m.text === '' ? `deleted:${m.id}` : m.id);
      return <li>{m.deleted ? '(deleted)' : m.text}</li>;
    });
    function Messages({ conv }: { conv: ConversationId }) {
      latest = useMessages(conv, { pageSize: 3 });
      return <ul>{latest.messages.map((m) => <Row key={m.id} m={m} />)}</ul>;
    }
    view = await mount(
      <KithProvider kith={bob}>
        <Messages conv={chat.id} />
      </KithProvider>,
    );
    const texts = (): string[] => latest?.messages.map((m) => (m.deleted ? '(deleted)' : m.text)) ?? [];
    await settleUntil(() => latest?.loading === false, 'first page');
    expect(texts()).toEqual(['m5', 'm6', 'm7']);
    expect(latest!.hasOlder).toBe(true);

    await act(async () => latest!.loadOlder());
    expect(texts()).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    await act(async () => latest!.loadOlder());
    expect(texts()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(latest!.hasOlder).toBe(false);

    const ids = latest!.messages.map((m) => m.id);
    renders.reset();
    h.clock.advance(1000);
    await act(async () => {
      await alice.messages.send(chat.id, 'm8');
      await alice.messages.edit(chat.id, ids[2]!, 'm3 (edited)');
      await h!.flush();
    });
    await settleUntil(() => texts().length === 8 && texts()[2] === 'm3 (edited)', 'new and edited message');
    expect(texts()).toEqual(['m1', 'm2', 'm3 (edited)', 'm4', 'm5', 'm6', 'm7', 'm8']);
    // Only the edited row and the new one rendered; the six others kept their objects.
    expect(renders.count(ids[2]!)).toBeGreaterThan(0);
    for (const i of [0, 1, 3, 4, 5, 6]) expect(renders.count(ids[i]!)).toBe(0);

    await act(async () => {
      await alice.messages.delete(chat.id, ids[0]!);
      await h!.flush();
    });
    await settleUntil(() => texts()[0] === '(deleted)', 'tombstone');
    expect(latest!.messages).toHaveLength(8);
  });

  it('shows an empty, loaded view for a conversation without messages', async () => {
    h = await createPeople(backend);
    const alice = h.peer('alice');
    const chat = await alice.conversations.openDirect(h.user('carol'));
    let latest: UseMessagesResult | undefined;
    function Messages() {
      latest = useMessages(chat.id);
      return null;
    }
    view = await mount(
      <KithProvider kith={alice}>
        <Messages />
      </KithProvider>,
    );
    await settleUntil(() => latest?.loading === false, 'loaded');
    expect(latest!.messages).toEqual([]);
    expect(latest!.hasOlder).toBe(false);
    expect(latest!.error).toBeNull();
  });
});
