// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationId, MemberInfo, MessageId, Reaction } from '@kith/core';
import type { PeerHarness } from '@kith/core/testing';
import { KithProvider, useCall, useConversation, useMembers, useProfile, useReactions, useReceipts, type CallView, type ConversationView, type MessageReceipts } from './index.js';
import { createPeople, createRenderCounter, mount, settleUntil, type Mounted } from './test-kit.js';

describe('engine hooks (REACT-2)', () => {
  let h: PeerHarness | undefined;
  let view: Mounted | undefined;
  afterEach(async () => {
    await view?.unmount();
    await h?.close();
  });

  it('useConversation and useMembers follow their group only; messages do not re-render them', async () => {
    h = await createPeople();
    const alice = h.peer('alice');
    const group = await alice.groups.create({ name: 'Trip', members: [h.user('bob')] });
    const other = await alice.groups.create({ name: 'Other', members: [h.user('bob')] });
    await h.flush();
    const renders = createRenderCounter();
    let conv: ConversationView | null = null;
    let members: readonly MemberInfo[] = [];
    function Header({ id }: { id: ConversationId }) {
      conv = useConversation(id);
      renders.hit('header');
      return <h1>{conv?.title}</h1>;
    }
    function Members({ id }: { id: ConversationId }) {
      members = useMembers(id);
      renders.hit('members');
      return <ul>{members.map((m) => <li key={m.user}>{m.user}</li>)}</ul>;
    }
    view = await mount(
      <KithProvider kith={alice}>
        <Header id={group.id} />
        <Members id={group.id} />
      </KithProvider>,
    );
    expect(conv!.title).toBe('Trip');
    expect(members.map((m) => m.user).sort()).toEqual([h.user('alice'), h.user('bob')].sort());
    renders.reset();

    await act(async () => {
      await alice.messages.send(group.id, 'hello');
      await alice.groups.update(other.id, { name: 'Renamed other' });
      await alice.groups.addMember(other.id, h!.user('carol'));
    });
    expect(renders.count('header')).toBe(0);
    expect(renders.count('members')).toBe(0);

    await act(async () => {
      await alice.groups.update(group.id, { name: 'Trip 2026' });
      await alice.groups.addMember(group.id, h!.user('carol'));
    });
    expect(conv!.title).toBe('Trip 2026');
    expect(members.map((m) => m.user)).toContain(h.user('carol'));
    expect(view.container.textContent).toContain('Trip 2026');
  });

  it('a direct conversation is titled by the peer profile, live; useProfile follows one user', async () => {
    h = await createPeople();
    const alice = h.peer('alice');
    const chat = await alice.conversations.openDirect(h.user('bob'));
    await h.peer('bob').profile.update({ displayName: 'Bob B.' });
    await h.flush();
    const renders = createRenderCounter();
    let conv: ConversationView | null = null;
    function Header() {
      conv = useConversation(chat.id);
      return null;
    }
    function Name({ user }: { user: string }) {
      const p = useProfile(user as never);
      renders.hit(user);
      return <span>{p.displayName}</span>;
    }
    view = await mount(
      <KithProvider kith={alice}>
        <Header />
        <Name user={h.user('bob')} />
        <Name user={h.user('carol')} />
      </KithProvider>,
    );
    expect(conv!.title).toBe('Bob B.');
    renders.reset();
    await act(async () => {
      await h!.peer('bob').profile.update({ displayName: 'Robert' });
      await h!.flush();
    });
    expect(conv!.title).toBe('Robert');
    expect(renders.count(h.user('bob'))).toBeGreaterThan(0);
    expect(renders.count(h.user('carol'))).toBe(0);
  });

  it('useReceipts, useReactions and useCall follow the other side', async () => {
    h = await createPeople();
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const chat = await alice.conversations.openDirect(h.user('bob'));
    await alice.messages.send(chat.id, 'read me');
    await h.flush();
    const [message] = await alice.messages.page(chat.id);
    let receipts: MessageReceipts | undefined;
    let reactions: readonly Reaction[] = [];
    let calls: CallView | undefined;
    function Probe({ id }: { id: MessageId }) {
      receipts = useReceipts(chat.id, id);
      reactions = useReactions(chat.id, id);
      calls = useCall(chat.id);
      return null;
    }
    view = await mount(
      <KithProvider kith={alice}>
        <Probe id={message!.id} />
      </KithProvider>,
    );
    await settleUntil(() => receipts !== undefined, 'receipts loaded');
    expect(receipts).toEqual([{ user: h.user('bob'), status: 'sent' }]);
    expect(calls).toEqual({ current: null, calls: [] });

    await act(async () => {
      await bob.receipts.markRead(chat.id, message!.id);
      await bob.messages.react(chat.id, message!.id, '👍');
      await bob.calls.start(chat.id, 'voice');
      await h!.flush();
    });
    await settleUntil(() => receipts?.[0]?.status === 'read', 'read receipt');
    expect(reactions.map((r) => [r.user, r.emoji])).toEqual([[h.user('bob'), '👍']]);
    expect(calls!.current?.caller).toBe(h.user('bob'));
    expect(calls!.calls).toHaveLength(1);

    await act(async () => {
      await alice.calls.decline(chat.id, calls!.current!.id);
    });
    expect(calls!.current).toBeNull();
    expect(calls!.calls[0]!.status).toBe('declined');
  });
});
