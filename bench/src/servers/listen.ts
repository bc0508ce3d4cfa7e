import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { WebSocketServer } from 'ws';

/**
 * Prints the line `startChildServer` waits for. On SIGTERM, closes every client socket with a
 * close frame first (a reset makes automerge-repo's client adapter throw from its error handler),
 * then exits once they are gone or after a second.
 */
export function announce(server: Server, wss?: WebSocketServer): void {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on ws://127.0.0.1:${port}\n`);
  process.once('SIGTERM', () => {
    if (wss === undefined || wss.clients.size === 0) process.exit(0);
    let open = wss.clients.size;
    for (const c of wss.clients) {
      c.once('close', () => --open === 0 && process.exit(0));
      c.close(1001, 'server stopping');
    }
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
