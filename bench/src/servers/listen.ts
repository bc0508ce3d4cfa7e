import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** Prints the line `startChildServer` waits for, and exits cleanly on SIGTERM. */
export function announce(server: Server, path = ''): void {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on ws://127.0.0.1:${port}${path}\n`);
  process.once('SIGTERM', () => process.exit(0));
}
