// @vitest-environment jsdom
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceState, SignalEvent, SignalKind, SyncState, UserId } from '@kith/core';
import { createManualClock, type PeerHarness } from '@kith/core/testing';
import { KithProvider, usePresence, useSendTyping, useSyncState, useTyping, type SyncLink } from './index.js';
import { createPeople, createRenderCounter, mount, type Mounted } from './test-kit.js';

/** An in-memory SyncLink: the test plays the relay's side (states, presence, signals). */
function createFakeSync(): SyncLink & {
  emitState(s: SyncState): void;
  emitPresence(user: UserId, state: PresenceState): void;
  emitSignal(e: SignalEvent): void;
  sent: Array<{ to: UserId; kind: SignalKind; payload: string }>;
} {
  let state: SyncState = 'connecting';
  const states = new Set<(s: SyncState) => void>();
  const presence = new Set<(e: { user: string; device: string; state: PresenceState }) => void>();
  const signals = new Set<(e: SignalEvent) => void>();
  const sent: Array<{ to: UserId; kind: SignalKind; payload: string }> = [];
  return {
    get state() {
      return state;
    },
    onState: (l) => (states.add(l), () => void states.delete(l)),
    onPresence: (l) => (presence.add(l), () => void presence.delete(l)),
    onSignal: (l) => (signals.add(l), () => void signals.delete(l)),
    signal(to, kind, payload) {
      sent.push({ to, kind, payload: new TextDecoder().decode(payload) });
      return { ok: true, value: undefined };
    },
    setPresence: () => undefined,
    emitState(s) {
      state = s;
      for (const l of states) l(s);
    },
    emitPresence: (user, s) => presence.forEach((l) => l({ user, device: 'd', state: s })),
    emitSignal: (e) => signals.forEach((l) => l(e)),
    sent,
  };
}

describe('signal hooks (REACT-1, REACT-2)', () => {
  let h: PeerHarness | undefined;
  let view: Mounted | undefined;
  afterEach(async () => {
    await view?.unmount();
    await h?.close();
  });

  it('useSyncState and usePresence follow the sync client; presence re-renders only its user', async () => {
    h = await createPeople();
    const sync = createFakeSync();
    const renders = createRenderCounter();
    let state: SyncState | undefined;
    const seen = new Map<string, PresenceState | undefined>();
    function Status() {
      state = useSyncState();
      return null;
    }
    function Dot({ user }: { user: UserId }) {
      seen.set(user, usePresence(user));
      renders.hit(user);
      return null;
    }
    view = await mount(
      <KithProvider kith={h.peer('alice')} sync={sync}>
        <Status />
        <Dot user={h.user('bob')} />
        <Dot user={h.user('carol')} />
      </KithProvider>,
    );
    expect(state).toBe('connecting');
    expect(seen.get(h.user('bob'))).toBeUndefined();
    renders.reset();
    act(() => {
      sync.emitState('upToDate');
      sync.emitPresence(h!.user('bob'), 'online');
    });
    expect(state).toBe('upToDate');
    expect(seen.get(h.user('bob'))).toBe('online');
    expect(renders.count(h.user('carol'))).toBe(0);
  });

  it('useTyping shows members typing, expires them on the clock, and ignores hostile signals', async () => {
    h = await createPeople();
    const alice = h.peer('alice');
    const group = await alice.groups.create({ name: 'G', members: [h.user('bob')] });
    const sync = createFakeSync();
    const clock = createManualClock();
    let typers: readonly UserId[] = [];
    let notify: (() => void) | undefined;
    function Typing() {
      typers = useTyping(group.id);
      notify = useSendTyping(group.id);
      return null;
    }
    view = await mount(
      <KithProvider kith={alice} sync={sync} clock={clock} typingTtlMs={5000}>
        <Typing />
      </KithProvider>,
    );
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    act(() => {
      // Hostile or irrelevant: a non-member (carol), a payload that is no conversation id, another kind.
      sync.emitSignal({ from: h!.user('carol'), device: 'd', kind: 'typing', payload: enc(group.id) });
      sync.emitSignal({ from: h!.user('bob'), device: 'd', kind: 'typing', payload: enc('not-a-conversation') });
      sync.emitSignal({ from: h!.user('bob'), device: 'd', kind: 'typing', payload: new Uint8Array([0xff, 0xfe]) });
      sync.emitSignal({ from: h!.user('bob'), device: 'd', kind: 'ring', payload: enc(group.id) });
    });
    expect(typers).toEqual([]);
    act(() => {
      sync.emitSignal({ from: h!.user('bob'), device: 'd', kind: 'typing', payload: enc(group.id) });
    });
    expect(typers).toEqual([h.user('bob')]);
    act(() => {
      clock.advance(4000);
    });
    act(() => {
      sync.emitSignal({ from: h!.user('bob'), device: 'd', kind: 'typing', payload: enc(group.id) });
    });
    act(() => {
      clock.advance(4000);
    });
    expect(typers).toEqual([h.user('bob')]); // renewed by the second signal
    act(() => {
      clock.advance(1001);
    });
    expect(typers).toEqual([]);

    // Sending: to the other members, at most once per interval.
    notify!();
    notify!();
    expect(sync.sent).toEqual([{ to: h.user('bob'), kind: 'typing', payload: group.id }]);
    clock.advance(3000);
    notify!();
    expect(sync.sent).toHaveLength(2);
  });
});
