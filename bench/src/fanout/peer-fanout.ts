import { startChildServer } from '../servers/child-server.js';
import { asBytes, openSocket, type FanoutTarget } from './fanout.js';
import { isYjsUpdate, yjsUpdateFrames } from './yjs-frames.js';

/**
 * `@y/websocket-server` (one room) or the naive broadcast server, both fed the same frames: each
 * sender's Y.Array pushes as y-websocket sync messages. Subscribers are plain sockets that count
 * update frames (no Y.Doc of their own: the server's cost is measured, not the clients').
 */
export async function peerFanoutTarget(kind: 'y-websocket' | 'naive', bytes: number): Promise<FanoutTarget> {
  const server = await startChildServer(kind === 'naive' ? './naive-broadcast-server.ts' : './y-websocket-server.ts');
  const url = kind === 'naive' ? server.url : `${server.url}/fanout`;
  return {
    async subscribe(delivered) {
      if (kind === 'naive') return openSocket(url, () => delivered.add());
      // The server greets a connection with its sync step 1: after that it is in the room.
      let greeted: () => void = () => undefined;
      const inRoom = new Promise<void>((resolve) => (greeted = resolve));
      const ws = await openSocket(url, (data) => {
        greeted();
        if (isYjsUpdate(asBytes(data))) delivered.add();
      });
      await inRoom;
      return ws;
    },
    async sender(index, count) {
      const frames = yjsUpdateFrames(`sender-${index}`, count, bytes);
      const ws = await openSocket(url);
      return {
        ws,
        go() {
          for (const f of frames) ws.send(f);
          return Promise.resolve();
        },
      };
    },
    stop: () => server.stop(),
  };
}
