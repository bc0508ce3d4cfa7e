import { describe, expect, it } from 'vitest';
import { createMemoryTransport, type InProcessSocket } from './memory-transport.js';

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('memory transport (port contract, ports/transport.ts)', () => {
  it('opens asynchronously, delivers in order both ways, closes once, and cuts connections while offline', async () => {
    let server: InProcessSocket | undefined;
    const received: string[] = [];
    const t = createMemoryTransport({
      accept: (s) => {
        server = s;
        return { onMessage: (d) => received.push(String(d)), onClose: () => received.push('server-closed') };
      },
      fetch: () => Promise.resolve(new Response('ok')),
    });
    const events: string[] = [];
    const conn = t.connect({ onOpen: () => events.push('open'), onMessage: (d) => events.push(`msg:${String(d)}`), onClose: (c) => events.push(`close:${c}`) });
    expect(events).toEqual([]);
    conn.send('a');
    conn.send('b');
    await turns();
    server?.send('x');
    server?.send('y');
    await turns();
    expect(received).toEqual(['a', 'b']);
    t.setOnline(false);
    await turns();
    conn.send('after');
    conn.close();
    await turns();
    expect(events).toEqual(['open', 'msg:x', 'msg:y', 'close:1006']);
    expect(received).toEqual(['a', 'b', 'server-closed']);
    const refused: string[] = [];
    t.connect({ onOpen: () => refused.push('open'), onMessage: () => undefined, onClose: () => refused.push('close') });
    await turns();
    expect(refused).toEqual(['close']);
    await expect(t.fetch('/x')).rejects.toThrow();
  });
});
