import { act, StrictMode, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createProjection, openProjectionDb, type Kith, type Projection } from '@kith/core';
import { createCrdtBackend } from '@kith/core/backends';
import { createPeerHarness, type PeerHarness } from '@kith/core/testing';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Three people on the in-memory hub of `@kith/core/testing`, on one backend. */
export function createPeople(backend: 'yjs' | 'automerge' = 'yjs'): Promise<PeerHarness> {
  return createPeerHarness({ backend: createCrdtBackend(backend), seed: `react-${backend}`, peers: ['alice', 'bob', 'carol'] });
}

export async function projectionFor(kith: Kith, name: string): Promise<Projection> {
  const db = await openProjectionDb({ name, indexedDB: new IDBFactory(), IDBKeyRange });
  const projection = await createProjection({ kith, db });
  await projection.idle();
  return projection;
}

/** A real React root in jsdom, rendering under StrictMode (double render and effects). */
export interface Mounted {
  readonly container: HTMLElement;
  unmount(): Promise<void>;
}

export async function mount(node: ReactNode): Promise<Mounted> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  let root: Root | undefined;
  await act(async () => {
    root = createRoot(container);
    root.render(<StrictMode>{node}</StrictMode>);
    await Promise.resolve();
  });
  return {
    container,
    unmount() {
      act(() => root?.unmount());
      container.remove();
      return Promise.resolve();
    },
  };
}

/**
 * Lets queued work run (React, engine events, fake-indexeddb's macrotasks) until `done` holds;
 * fails after `maxTurns` event-loop turns. Not a timer: each turn is one setImmediate.
 */
export async function settleUntil(done: () => boolean, what: string, maxTurns = 2000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (done()) return;
    await act(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
    });
  }
  if (!done()) throw new Error(`never happened: ${what}`);
}

/** Counts renders per key (a component calls `hit(key)` in its body). */
export function createRenderCounter(): { hit(key: string): void; count(key: string): number; reset(): void } {
  const counts = new Map<string, number>();
  return {
    hit: (key) => void counts.set(key, (counts.get(key) ?? 0) + 1),
    count: (key) => counts.get(key) ?? 0,
    reset: () => counts.clear(),
  };
}
